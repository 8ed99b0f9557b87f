"""Dataclasses of plain values <-> JSON-safe dicts, by their fields and type hints.

A conversation is stored outside the process (SQLite, Redis) and read back by other
workers and by later versions of the code. So nothing here names a class path (no
pickle): a ``Query`` becomes a dict of its fields, and is read back into whatever
``Query`` the reading code has. Fields added since it was written take their defaults,
fields removed are ignored; a value that no longer fits its field's type makes the whole
record unreadable (``ValueError``), which the store treats as a forgotten conversation.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union

T = TypeVar("T")


def to_data(value: Any, leave_out: frozenset[str] = frozenset()) -> Any:
    """``value`` as JSON-safe data: dataclasses as dicts of their fields (less ``leave_out``
    at the top level), tuples and sets as lists, plain values as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in leave_out}
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_data(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} has no stored form")


def from_data(cls: type[T], data: Any) -> T:
    """A ``cls`` from ``to_data``'s output; ``ValueError`` when it does not fit ``cls``'s fields."""
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    values = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data and f.init:
            values[f.name] = _decode(hints[f.name], data[f.name])
    try:
        return cls(**values)
    except TypeError as exc:  # a field without default that the data lacks
        raise ValueError(f"{cls.__name__}: {exc}") from None


def _frozen(value: Any) -> Any:
    """Lists read back as tuples where the field does not say more: a frozen dataclass stays hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(hint: Any, value: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise ValueError(f"cannot read a value of {hint}")
        return _decode(options[0], value)
    if dataclasses.is_dataclass(hint):
        return from_data(hint, value)
    if origin in (tuple, list, frozenset, set):
        if not isinstance(value, list):
            raise ValueError(f"expected a list for {hint}, got {type(value).__name__}")
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(args) != len(value):
                raise ValueError(f"expected {len(args)} values for {hint}, got {len(value)}")
            return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
        item = args[0] if args else Any
        return origin(_decode(item, v) for v in value)
    if hint in (tuple, list, frozenset, set) and isinstance(value, list):  # a bare ``tuple`` field
        return hint(_frozen(v) for v in value)
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    raise ValueError(f"expected {hint}, got {type(value).__name__}")
