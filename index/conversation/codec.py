"""Dataclasses of plain values <-> JSON-safe dicts, by their fields and type hints.

A conversation is stored outside the process (SQLite, Redis) and read back by other
workers and by later versions of the code. So nothing here names a class path (no
pickle): a ``Query`` becomes a dict of its fields, and is read back into whatever
``Query`` the reading code has. Fields added since it was written take their defaults,
fields removed are ignored; a value that no longer fits its field's type makes the whole
record unreadable (``ValueError``), which the store treats as a forgotten conversation.

Each type hint is read once into a small decoding function (``_decoder``): every message of
every conversation is decoded, and inspecting the hints each time cost a tenth of an answer.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, Union

T = TypeVar("T")
Decoder = Callable[[Any], Any]
PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types stored as they are."""


def to_data(value: Any, leave_out: frozenset[str] = frozenset()) -> Any:
    """``value`` as JSON-safe data: dataclasses as dicts of their fields (less ``leave_out``
    at the top level), tuples and sets as lists, plain values as they are."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):  # a kept answer's hundred ids: plain values without a call each
        return [v if type(v) in PLAIN else to_data(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_data(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_data(getattr(value, name)) for name in _field_names(type(value))
                if name not in leave_out}
    raise TypeError(f"{type(value).__name__} has no stored form")


def from_data(cls: type[T], data: Any) -> T:
    """A ``cls`` from ``to_data``'s output; ``ValueError`` when it does not fit ``cls``'s fields."""
    return _decoder(cls)(data)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _frozen(value: Any) -> Any:
    """Lists read back as tuples where the field does not say more: a frozen dataclass stays hashable."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


@cache
def _decoder(hint: Any) -> Decoder:
    """The function that reads a value of ``hint`` from JSON data, or raises ``ValueError``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            def cannot(value: Any) -> Any:
                if value is None and type(None) in args:
                    return None
                raise ValueError(f"cannot read a value of {hint}")
            return cannot
        inner, optional = _decoder(options[0]), type(None) in args
        return lambda value: None if value is None and optional else inner(value)
    if dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if origin in (tuple, list, frozenset, set):
        def sequence(value: Any) -> Any:
            if not isinstance(value, list):
                raise ValueError(f"expected a list for {hint}, got {type(value).__name__}")
            return read(value)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            items = tuple(_decoder(a) for a in args)

            def read(value: list) -> Any:
                if len(items) != len(value):
                    raise ValueError(f"expected {len(items)} values for {hint}, got {len(value)}")
                return tuple(d(v) for d, v in zip(items, value, strict=True))
        elif args and args[0] in (str, int):
            exact, item = args[0], _decoder(args[0])

            def read(value: list) -> Any:
                if all(type(v) is exact for v in value):
                    return origin(value)  # as JSON reads them: no call per item
                return origin(item(v) for v in value)
        else:
            item = _decoder(args[0] if args else Any)

            def read(value: list) -> Any:
                return origin(item(v) for v in value)
        return sequence
    if hint in (tuple, list, frozenset, set):  # a bare ``tuple`` field
        def bare(value: Any) -> Any:
            if isinstance(value, list):
                return hint(_frozen(v) for v in value)
            raise ValueError(f"expected {hint}, got {type(value).__name__}")
        return bare
    if hint is Any:
        return lambda value: value

    def plain(value: Any) -> Any:
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
            return value
        raise ValueError(f"expected {hint}, got {type(value).__name__}")
    return plain


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init]
    decoders: dict[str, Decoder] = {}

    def read(data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
        if not decoders:  # on first use: a field may be of a class defined later than this one
            # Built whole, then published in one step: another thread never sees half of it.
            decoders.update({name: _decoder(hint) for name, hint in fields})
        values = {name: decode(data[name]) for name, decode in decoders.items() if name in data}
        try:
            return cls(**values)
        except TypeError as exc:  # a field without default that the data lacks
            raise ValueError(f"{cls.__name__}: {exc}") from None
    return read
