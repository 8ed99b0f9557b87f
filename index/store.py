"""An index version on disk: the whoosh index, the places beside it, and what built it.

The places are kept as a pickle of ``Entry`` records (each place with its derived facets),
because a version opens on every swap and unpickling 100,000 entries takes a second where
decoding and re-deriving them from JSON takes many. A pickle from older code that no longer
loads is reported as ``IndexUnavailable``: rebuild from the sources.

``build(places, directory, meta)`` writes a complete version into an empty folder;
``open_store(directory)`` loads it for searching. A version is never modified after it
is built: a rebuild makes a new one beside it (see ``index.home``).
"""

from __future__ import annotations

import gc
import json
import logging
import pickle
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from index.analysis import french_analyzer
from index.errors import BuildError, IndexUnavailable
from index.facets import Entry, derive
from index.normalise import fold
from index.places import Place
from index.spatial import Grid
from index.understand.lexicon import Lexicon
from index.vocabulary import LABEL_LABELS, PUBLIC_LABELS, SERVICE_LABELS

log = logging.getLogger(__name__)

PLACES_FILE = "entries.pickle"
META_FILE = "meta.json"
ROW_PROBLEMS_FILE = "row-problems.json"
"""The readers' warnings on the rows kept: [{"source", "line", "id", "reason"}]."""
WHOOSH_DIR = "whoosh"
TEXT_FIELDS = {"name": 4.0, "organisation": 1.5, "kind": 1.0, "text": 0.7}
"""Searched fields and their weights: a word in a place's name says most."""


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        **{name: TEXT(analyzer=analyzer, field_boost=boost) for name, boost in TEXT_FIELDS.items()},
    )


def _document(place: Place) -> dict[str, str]:
    kind = " ".join([place.place_type, *(LABEL_LABELS.get(c, c) for c in place.labels),
                     *(SERVICE_LABELS.get(c, c) for c in place.services),
                     *(PUBLIC_LABELS.get(c, c) for c in place.publics)])
    text = " ".join([place.description, *place.access, *place.support, place.legal_form])
    return {"id": place.id, "name": place.name, "organisation": place.organisation, "kind": kind, "text": text}


def build(places: list[Place], directory: Path, meta: dict, row_problems: list[dict] | None = None) -> dict:
    """Write a version of ``places`` into ``directory`` (created, must be empty); returns its meta.

    ``row_problems`` (the readers' warnings on kept rows) are kept beside, for ``orienteur report``.
    """
    started = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BuildError(f"{directory} is not empty")
    ids = Counter(p.id for p in places)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise BuildError(f"duplicate place ids: {', '.join(sorted(dupes)[:5])}")
    (directory / WHOOSH_DIR).mkdir()
    ix = whoosh_index.create_in(str(directory / WHOOSH_DIR), schema())
    writer = ix.writer(limitmb=256)
    try:
        for place in places:
            writer.add_document(**_document(place))
        writer.commit(optimize=True)
    except Exception as exc:
        writer.cancel()
        raise BuildError(f"whoosh could not index the places: {exc}") from exc
    with open(directory / PLACES_FILE, "wb") as fh:
        pickle.dump([derive(i, p) for i, p in enumerate(places)], fh, protocol=pickle.HIGHEST_PROTOCOL)
    (directory / ROW_PROBLEMS_FILE).write_text(json.dumps(row_problems or [], ensure_ascii=False), encoding="utf-8")
    meta = {**meta, "places": len(places), "build_seconds": round(time.perf_counter() - started, 3)}
    # Written last: a folder with meta.json is a complete version.
    tmp = directory / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(directory / META_FILE)
    log.info("built %d places into %s in %.2fs", len(places), directory, meta["build_seconds"])
    return meta


@dataclass
class Store:
    """An opened version: entries in whoosh document order, the searcher, the lexicon, the grid."""

    directory: Path
    meta: dict
    entries: list[Entry]
    searcher: object
    lexicon: Lexicon
    grid: Grid
    by_id: dict[str, Entry] = field(default_factory=dict)
    by_departement: dict[str, list[Entry]] = field(default_factory=dict)
    by_commune: dict[str, list[Entry]] = field(default_factory=dict)
    by_code: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(facet, code) -> positions of the places with it, derived facts included."""
    name_df: Counter[str] = field(default_factory=Counter)
    """Folded name word -> number of places whose name holds it."""

    @property
    def version(self) -> str:
        return str(self.meta.get("version", self.directory.name))

    def close(self) -> None:
        self.searcher.close()


def read_entries(directory: Path) -> list[Entry]:
    # Millions of small objects: the cyclic GC would scan them over and over while they are
    # created (4x the load time at 100,000 places). They hold no cycles; refcounting frees them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(Path(directory) / PLACES_FILE, "rb") as fh:
            return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def read_row_problems(directory: Path) -> list[dict] | None:
    """The warnings kept with a version, or None for a version built without them."""
    try:
        return json.loads((Path(directory) / ROW_PROBLEMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_places(directory: Path) -> list[Place]:
    return [e.place for e in read_entries(directory)]


def is_complete(directory: Path) -> bool:
    return (Path(directory) / META_FILE).is_file()


def open_store(directory: Path) -> Store:
    """Load a built version; ``IndexUnavailable`` if it is missing or incomplete."""
    directory = Path(directory)
    if not is_complete(directory):
        raise IndexUnavailable(f"no complete index in {directory}")
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        entries = read_entries(directory)
        ix = whoosh_index.open_dir(str(directory / WHOOSH_DIR))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, pickle.UnpicklingError,
            whoosh_index.EmptyIndexError) as exc:
        raise IndexUnavailable(f"index in {directory} is unreadable: {exc}") from exc
    if ix.doc_count() != len(entries):
        raise IndexUnavailable(f"index in {directory} holds {ix.doc_count()} documents for {len(entries)} places")
    words: set[str] = set()
    communes: Counter[str] = Counter()
    by_departement: dict[str, list[Entry]] = {}
    by_commune: dict[str, list[Entry]] = {}
    by_code: dict[tuple[str, str], list[int]] = {}
    name_df: Counter[str] = Counter()
    for e in entries:
        name_df.update(e.name_words)
        for facet in ("services", "publics", "labels"):
            for code in getattr(e, facet):
                by_code.setdefault((facet, code), []).append(e.pos)
        p = e.place
        words.update(fold(f"{p.name} {p.organisation} {p.place_type} {p.description}").split())
        communes[e.commune] += 1
        by_commune.setdefault(e.commune, []).append(e)
        for d in e.departements:
            by_departement.setdefault(d, []).append(e)
    grid = Grid([(e.pos, e.place.lat, e.place.lon) for e in entries if e.place.has_point])
    return Store(
        directory=directory, meta=meta, entries=entries, searcher=ix.searcher(),
        lexicon=Lexicon.build(words, communes, {d: len(es) for d, es in by_departement.items()}), grid=grid, by_id={e.place.id: e for e in entries},
        by_departement=by_departement, by_commune=by_commune, by_code=by_code, name_df=name_df,
    )
