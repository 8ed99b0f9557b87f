"""An index version on disk: the whoosh index, the places in SQLite beside it, and what built it.

    versions/<name>/
        whoosh/          the text index; document number = the place's position
        places.sqlite    plain tables (below), readable by any SQLite client and by later code
        row-problems.json  the readers' warnings on the rows kept (``orienteur report``)
        meta.json        what built it, its stored ``format``; written last: a complete version

``places.sqlite`` holds, for stored format ``FORMAT``:

- ``places(pos, id, facets, hours, place)``: each place as JSON (``places.place_to_dict``),
  its hours apart (many places share a week's hours: each distinct one is decoded once), and
  its derived facets (``facets.derive``) as a JSON list in ``FACET_COLUMNS`` order;
- ``groups(kind, key, positions)``: the positions of the places per département, commune and
  (facet, code), as little arrays of int32, so that opening reads them whole;
- ``cells(i, j, keys, lats, lons)``: the places with a point, per cell of ``spatial.Grid``,
  as arrays of int32 and float64;
- ``name_df(word, places)``, ``words(word)``: how many names hold each word, the directory's
  own words for the lexicon;
- ``merged(id, pos)``: the ids of the rows merged into a place (``index.duplicates``), each with
  that place's position, so that a link to any of its rows finds it (``Store.by_id``);
- ``source_rows(pos, id, hours, place)``: the rows as the sources listed them, before
  duplicates were merged into one place (``index.duplicates``), when any were: the maintainers'
  report checks the directory row by row (``read_source_rows``).

Arrays are stored little-endian (``<i4``, ``<f8``), whatever the machine.

Nothing in it is a pickle of our classes (whoosh pickles its own schema, our analyzer
included: a change to ``index.analysis``'s classes is a new format too): a renamed field is a
new format number and a rebuild, never a crash. A version in any other format
(``entries.pickle`` without a number is format 1) raises ``StaleFormat``, naming what to do:
rebuild it from its sources.

Opening is cheap and lazy (``open_store``): it reads the groups, cells and words, not the
places; a place is decoded when a search first looks at it and kept in a bounded cache. So a
reload at 100,000 places takes a fraction of a second in small steps that release the
interpreter, and a version takes little memory beyond the places searches actually touch.
A version's content is never modified after it is built: a rebuild makes a new one beside it
(``index.home``), or finds the same content already there and only renews its description.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cachetools import LRUCache
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema
from whoosh.reading import TermNotFound

from index.analysis import french_analyzer
from index.errors import BuildError, IndexUnavailable, StaleFormat
from index.facets import Entry, derive
from index.normalise import fold
from index.places import Place, hours_from_dict, place_from_dict, place_to_dict
from index.spatial import Grid
from index.understand.lexicon import Lexicon
from index.vocabulary import LABEL_LABELS, PUBLIC_LABELS, SERVICE_LABELS

log = logging.getLogger(__name__)

FORMAT = 3
"""The stored format this code writes and reads; raise it whenever what is stored changes.
3: the ``merged`` table and each place's ``merged_ids``."""
DB_FILE = "places.sqlite"
META_FILE = "meta.json"
ROW_PROBLEMS_FILE = "row-problems.json"
"""The readers' warnings on the rows kept: [{"source", "line", "id", "reason"}]."""
WHOOSH_DIR = "whoosh"
LEGACY_FILE = "entries.pickle"
"""Format 1's places: a pickle of ``Entry`` records, unreadable once a class changed."""
TEXT_FIELDS = {"name": 4.0, "organisation": 1.5, "kind": 1.0, "text": 0.7}
"""Searched fields and their weights: a word in a place's name says most."""
FACET_COLUMNS = ("services", "publics", "labels", "open_days", "hours_known", "commune", "departements",
                 "name_words", "name_sounds", "described", "richness")
"""The derived ``Entry`` fields stored per place, in this order."""
GROUP_FACETS = ("services", "publics", "labels")
ENTRY_CACHE = 10_000
"""Places kept decoded per opened version (a few départements' worth at 100,000 places, about
30 MB): the places searches touch stay at hand, the rest of the directory stays on disk. Each is a
few objects the cyclic collector scans on its full passes: more would lengthen them."""
POSTINGS_CACHE = 200_000
"""(place, score) pairs of postings kept read per opened version, all terms together (about 20 MB
at most; the 845 places' whole index is far less)."""
WHOOSH_MB = 512
"""Memory whoosh's writer may fill before sorting its postings to disk: one pass at 100,000 places."""


def schema() -> Schema:
    # No positions (phrase=False): searches ask for terms only, never phrases; BM25 reads the
    # frequencies and lengths, which stay. No stored fields: a document number is a position.
    analyzer = french_analyzer()
    return Schema(**{name: TEXT(analyzer=analyzer, field_boost=boost, phrase=False)
                     for name, boost in TEXT_FIELDS.items()})


def _document(place: Place) -> dict[str, str]:
    kind = " ".join([place.place_type, *(LABEL_LABELS.get(c, c) for c in place.labels),
                     *(SERVICE_LABELS.get(c, c) for c in place.services),
                     *(PUBLIC_LABELS.get(c, c) for c in place.publics)])
    text = " ".join([place.description, *place.access, *place.support, place.legal_form])
    return {"name": place.name, "organisation": place.organisation, "kind": kind, "text": text}


def build(places: list[Place], directory: Path, meta: dict, row_problems: list[dict] | None = None,
          rows: list[Place] | None = None) -> dict:
    """Write a version of ``places`` into ``directory`` (created, must be empty); returns its meta.

    The meta gains ``format``, ``places``, ``build_seconds`` and ``content``: a hash of the format
    and of every stored row, the same on any machine building the same places with the same code;
    and ``version`` when it holds none, the name ``version_name`` makes of that hash.
    ``row_problems`` (the readers' warnings on kept rows) are kept beside, for ``orienteur report``,
    and so are ``rows``, the places as the sources listed them, when duplicates were merged.
    """
    started = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BuildError(f"{directory} is not empty")
    ids = Counter(i for p in places for i in (p.id, *p.merged_ids))
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:  # an id names one place, whether its own or one of the rows merged into it
        raise BuildError(f"duplicate place ids: {', '.join(sorted(dupes)[:5])}")
    (directory / WHOOSH_DIR).mkdir()
    ix = whoosh_index.create_in(str(directory / WHOOSH_DIR), schema())
    writer = ix.writer(limitmb=WHOOSH_MB)
    try:
        for place in places:
            writer.add_document(**_document(place))
        writer.commit(optimize=True)
    except Exception as exc:
        writer.cancel()
        raise BuildError(f"whoosh could not index the places: {exc}") from exc
    content = _write_tables(places, directory / DB_FILE, rows if rows is not None and rows != places else [])
    (directory / ROW_PROBLEMS_FILE).write_text(json.dumps(row_problems or [], ensure_ascii=False), encoding="utf-8")
    meta = {"version": version_name(content), **meta, "format": FORMAT, "content": content, "places": len(places),
            "build_seconds": round(time.perf_counter() - started, 3)}
    # Written last: a folder with meta.json is a complete version.
    tmp = directory / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(directory / META_FILE)
    log.info("built %d places into %s in %.2fs", len(places), directory, meta["build_seconds"])
    return meta


def version_name(content: str) -> str:
    """A version's folder name: its format, then the start of its content hash ("3-3f2a1c0d9b8e7a65")."""
    return f"{FORMAT}-{content.removeprefix('sha256:')[:16]}"


def _write_tables(places: list[Place], path: Path, source_rows: list[Place]) -> str:
    """Write ``places.sqlite``; returns the content hash (format and rows, in order)."""
    digest = hashlib.sha256(f"orienteur-format-{FORMAT}\n".encode())
    listed = [(pos, place.id, *_place_json(place)) for pos, place in enumerate(source_rows)]
    for row in listed:
        digest.update("source\t{}\t{}\t{}\t{}\n".format(*row).encode())
    groups: dict[tuple[str, str], array] = {}
    name_df: Counter[str] = Counter()
    words: set[str] = set()
    rows, points, merged = [], [], []
    for pos, place in enumerate(places):
        e = derive(pos, place)
        facets = json.dumps([sorted(getattr(e, c)) if isinstance(getattr(e, c), frozenset) else getattr(e, c)
                             for c in FACET_COLUMNS], ensure_ascii=False)
        hours, doc = _place_json(place)
        digest.update(f"{place.id}\t{facets}\t{hours}\t{doc}\n".encode())
        rows.append((pos, place.id, facets, hours, doc))
        merged += [(row_id, pos) for row_id in place.merged_ids]
        if place.has_point:
            points.append((pos, place.lat, place.lon))
        groups.setdefault(("commune", e.commune), array("i")).append(pos)
        for d in e.departements:
            groups.setdefault(("departement", d), array("i")).append(pos)
        for facet in GROUP_FACETS:
            for code in getattr(e, facet):
                groups.setdefault((facet, code), array("i")).append(pos)
        name_df.update(e.name_words)
        # Word by word: fold() caches them, where whole descriptions would each be new to it.
        for token in f"{place.name} {place.organisation} {place.place_type} {place.description}".split():
            words.update(fold(token).split())
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE places (pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, facets TEXT NOT NULL,
                                 hours TEXT NOT NULL, place TEXT NOT NULL);
            CREATE TABLE groups (kind TEXT NOT NULL, key TEXT NOT NULL, positions BLOB NOT NULL,
                                 PRIMARY KEY (kind, key));
            CREATE TABLE cells (i INTEGER NOT NULL, j INTEGER NOT NULL, keys BLOB NOT NULL, lats BLOB NOT NULL,
                                lons BLOB NOT NULL, PRIMARY KEY (i, j));
            CREATE TABLE name_df (word TEXT PRIMARY KEY, places INTEGER NOT NULL);
            CREATE TABLE words (word TEXT PRIMARY KEY);
            CREATE TABLE merged (id TEXT PRIMARY KEY, pos INTEGER NOT NULL REFERENCES places (pos));
            CREATE TABLE source_rows (pos INTEGER PRIMARY KEY, id TEXT NOT NULL, hours TEXT NOT NULL,
                                      place TEXT NOT NULL);
        """)
        db.executemany("INSERT INTO source_rows VALUES (?, ?, ?, ?)", listed)
        db.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO groups VALUES (?, ?, ?)",
                       [(kind, key, _le(positions).tobytes()) for (kind, key), positions in sorted(groups.items())])
        db.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?)",
                       [(i, j, *(_le(a).tobytes() for a in cell)) for (i, j), cell in sorted(Grid(points).cells.items())])
        db.executemany("INSERT INTO name_df VALUES (?, ?)", sorted(name_df.items()))
        db.executemany("INSERT INTO words VALUES (?)", [(w,) for w in sorted(words)])
        db.executemany("INSERT INTO merged VALUES (?, ?)", sorted(merged))
        db.commit()
    finally:
        db.close()
    return "sha256:" + digest.hexdigest()


def _place_json(place: Place) -> tuple[str, str]:
    """A place as stored: its hours and the rest, each as compact JSON."""
    data = place_to_dict(place)
    hours = json.dumps(data.pop("hours"), ensure_ascii=False, separators=(",", ":"))
    return hours, json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _le(values: array) -> array:
    """``values`` in little-endian order (a swapped copy on a big-endian machine)."""
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values


def _array(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    return _le(values)


def _entry(pos: int, facets: str, hours: str, place: str, shared: dict) -> Entry:
    """Decode one row; equal values (a week's hours, a set of codes) are one object, through ``shared``."""
    (services, publics, labels, open_days, hours_known, commune, departements, name_words, name_sounds,
     described, richness) = json.loads(facets)

    def common(values: list) -> frozenset:
        key = frozenset(values)
        return shared.setdefault(key, key)

    week = shared.get(hours)
    if week is None:
        week = shared[hours] = hours_from_dict(json.loads(hours))
    return Entry(pos=pos, place=place_from_dict(json.loads(place), week), services=common(services),
                 publics=common(publics), labels=common(labels), open_days=common(open_days),
                 hours_known=hours_known, commune=commune, departements=common(departements),
                 name_words=frozenset(name_words), name_sounds=frozenset(name_sounds), described=described,
                 richness=richness)


class Entries(Sequence[Entry]):
    """The places of a version in document order, decoded from SQLite when first asked for.

    Safe to share between threads (one connection, under a lock); the ``ENTRY_CACHE`` most
    recently used stay decoded. A directory that fits whole keeps them in a plain dict: an LRU's
    bookkeeping, in Python, costs every search a few hundred calls for an eviction that never comes.
    Iterating decodes every place without keeping them (exports).
    """

    BATCH = 500

    def __init__(self, db: sqlite3.Connection, count: int, cache_size: int = ENTRY_CACHE) -> None:
        self._db, self._count = db, count
        self._cache: MutableMapping[int, Entry] = {} if count <= cache_size else LRUCache(cache_size)
        self._cache_size = cache_size
        self._shared: dict = {}
        """Values equal across places (a week's hours, a set of codes), kept as one object each;
        emptied when it holds more than ``2 * cache_size`` (a plain dict: this is the hot path)."""
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.take(range(*index.indices(self._count)))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        with self._lock:
            entry = self._cache.get(index)
            if entry is None:
                row = self._db.execute("SELECT facets, hours, place FROM places WHERE pos = ?", (index,)).fetchone()
                entry = self._cache[index] = _entry(index, *row, self._bounded_shared())
        return entry

    def take(self, positions: Iterable[int]) -> list[Entry]:
        """The entries at ``positions``, in that order; the missing ones read in a few queries."""
        positions = list(positions)
        with self._lock:
            found = {p: e for p in positions if (e := self._cache.get(p)) is not None}
            missing = sorted({p for p in positions if p not in found})
            shared = self._bounded_shared()
            for i in range(0, len(missing), self.BATCH):
                chunk = missing[i:i + self.BATCH]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                        f"SELECT pos, facets, hours, place FROM places WHERE pos IN ({marks})", chunk):
                    found[row[0]] = self._cache[row[0]] = _entry(*row, shared)
        return [found[p] for p in positions]

    def __iter__(self) -> Iterator[Entry]:
        for start in range(0, self._count, self.BATCH):
            with self._lock:
                rows = self._db.execute("SELECT pos, facets, hours, place FROM places WHERE pos >= ? AND pos < ? "
                                        "ORDER BY pos", (start, start + self.BATCH)).fetchall()
            yield from (_entry(*row, self._bounded_shared()) for row in rows)

    def cached_ids(self) -> list[str]:
        """The ids of the places decoded now, the latest decoded first: what searches look at."""
        with self._lock:
            return [e.place.id for e in reversed(list(self._cache.values()))]

    def warm_all(self, seconds: float, batch: int = 500) -> bool:
        """Decode every place ahead of the searches when the whole directory fits in the cache (845
        places: about 30 ms), for at most ``seconds``, letting other threads run between batches: the
        first searches after a start find them ready rather than each decoding its own while desks
        wait. False when the directory is too large for that, or when time ran out first (``warm``
        then decodes what the previous version had in use)."""
        if self._count > self._cache_size:
            return False
        deadline = time.monotonic() + seconds
        for start in range(0, self._count, batch):
            if time.monotonic() > deadline:
                return False
            self.take(range(start, min(start + batch, self._count)))
            time.sleep(0)
        return True

    def warm(self, ids: list[str], seconds: float, batch: int = 200) -> None:
        """Decode the places of ``ids`` ahead of the searches for at most ``seconds``, a few at a
        time, letting other threads run between: a new version starts with the places the
        previous one was serving, the latest first."""
        deadline = time.monotonic() + seconds
        for start in range(0, len(ids), batch):
            if time.monotonic() > deadline:
                break
            chunk = ids[start:start + batch]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                positions = [pos for (pos,) in self._db.execute(f"SELECT pos FROM places WHERE id IN ({marks})", chunk)]
            self.take(positions)
            time.sleep(0)

    def release(self, batch: int = 500) -> None:
        """Drop the decoded places a few hundred at a time, letting other threads run between:
        freeing 10,000 places at once would hold the interpreter for tens of milliseconds."""
        while True:
            with self._lock:
                for _ in range(min(batch, len(self._cache))):
                    self._cache.popitem()
                self._shared = {}
                if not self._cache:
                    return
            time.sleep(0)

    def _bounded_shared(self) -> dict:
        if len(self._shared) > 2 * self._cache_size:
            self._shared = {}
        return self._shared

    def position_of(self, place_id: str) -> int | None:
        """The position of the place with this id, or of the place a row of this id was merged into."""
        with self._lock:
            row = self._db.execute("SELECT pos FROM places WHERE id = ? UNION ALL "
                                   "SELECT pos FROM merged WHERE id = ?", (place_id, place_id)).fetchone()
        return row[0] if row else None


class Grouped(Mapping[str, list[Entry]]):
    """A key (département, commune) -> the entries under it, decoded when asked for."""

    def __init__(self, positions: dict[str, array], entries: Entries) -> None:
        self.positions, self._entries = positions, entries

    def __getitem__(self, key: str) -> list[Entry]:
        return self._entries.take(self.positions[key])

    def __contains__(self, key: object) -> bool:
        return key in self.positions  # without decoding its entries, as Mapping's default would

    def __iter__(self) -> Iterator[str]:
        return iter(self.positions)

    def __len__(self) -> int:
        return len(self.positions)


class ById(Mapping[str, Entry]):
    """A place id -> its entry (the table's unique index, then the cache). The id of a row merged
    into a place gives that place (a link shared before the merge keeps working); iterating gives
    each place's own id only, once."""

    def __init__(self, entries: Entries) -> None:
        self._entries = entries

    def __getitem__(self, place_id: str) -> Entry:
        pos = self._entries.position_of(place_id)
        if pos is None:
            raise KeyError(place_id)
        return self._entries[pos]

    def __iter__(self) -> Iterator[str]:
        return (e.place.id for e in self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Store:
    """An opened version: entries in whoosh document order, the searcher, the lexicon, the grid."""

    directory: Path
    meta: dict
    entries: Entries
    searcher: object
    lexicon: Lexicon
    grid: Grid
    by_id: Mapping[str, Entry]
    by_departement: Mapping[str, list[Entry]]
    by_commune: Mapping[str, list[Entry]]
    by_code: dict[tuple[str, str], Sequence[int]]
    """(facet, code) -> positions of the places with it, derived facts included."""
    name_df: Mapping[str, int]
    """Folded name word -> number of places whose name holds it."""
    db: sqlite3.Connection
    _postings: LRUCache = field(default_factory=lambda: LRUCache(POSTINGS_CACHE, getsizeof=len), repr=False)
    _postings_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", self.directory.name))

    def postings(self, field_name: str, term: str) -> dict[int, float]:
        """The places whose ``field_name`` holds ``term`` -> their BM25F score (a term's alone, the
        same in every query): read from whoosh once per version, then from memory, as the words
        people type recur (« atelier », « numérique »). The dict is shared: read it, never change it."""
        key = (field_name, term)
        with self._postings_lock:
            found = self._postings.get(key)
        if found is None:
            try:
                matcher = self.searcher.postings(field_name, term)
            except TermNotFound:
                return {}
            found = {}
            while matcher.is_active():
                found[matcher.id()] = matcher.score()
                matcher.next()
            if len(found) <= POSTINGS_CACHE:
                with self._postings_lock:
                    self._postings[key] = found
        return found

    def close(self) -> None:
        """Close the files and free the decoded places (in steps: see ``Entries.release``)."""
        self.searcher.close()
        self.db.close()
        with self._postings_lock:
            self._postings.clear()
        self.entries.release()


def read_row_problems(directory: Path) -> list[dict] | None:
    """The warnings kept with a version, or None for a version built without them."""
    try:
        return json.loads((Path(directory) / ROW_PROBLEMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_complete(directory: Path) -> bool:
    return (Path(directory) / META_FILE).is_file()


def read_meta(directory: Path) -> dict:
    """The version's meta.json; ``IndexUnavailable`` if it is missing or unreadable."""
    directory = Path(directory)
    if not is_complete(directory):
        raise IndexUnavailable(f"no complete index in {directory}")
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"index in {directory} is unreadable: {exc}") from exc
    if not isinstance(meta, dict):
        raise IndexUnavailable(f"index in {directory} is unreadable: meta.json holds no object")
    return meta


def stored_format(meta: dict) -> int | None:
    """The format number of a version's meta (1 for the pickles that had none)."""
    found = meta.get("format", 1)
    return found if isinstance(found, int) else None


def check_format(directory: Path, meta: dict) -> None:
    """``StaleFormat`` unless ``meta`` says this code's format."""
    found = stored_format(meta)
    if found != FORMAT:
        written = f"stored format {found}" if found else "an unknown stored format"
        if found == 1:
            written += f" ({LEGACY_FILE})"
        raise StaleFormat(f"index version {Path(directory).name} was written in {written}; this code reads "
                          f"format {FORMAT} only: rebuild it from its sources (orienteur rebuild)")


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise IndexUnavailable(f"{path} is missing")
    # immutable: a version never changes once built, so SQLite takes no locks to read it.
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def read_source_rows(store: Store) -> list[Place]:
    """The served version's places as the sources listed them, duplicates not merged: the rows a
    maintainer fixes. Empty when nothing was merged: the version's places are its rows then."""
    db = _connect(store.directory / DB_FILE)  # its own connection: the store's is shared by searches
    try:
        return [_decode_place(hours, doc) for hours, doc in db.execute("SELECT hours, place FROM source_rows ORDER BY pos")]
    finally:
        db.close()


def _decode_place(hours: str, doc: str) -> Place:
    """A place from its stored JSON (``_place_json``)."""
    return place_from_dict(json.loads(doc), hours_from_dict(json.loads(hours)))


def read_places(directory: Path) -> list[Place]:
    """Every place of a version, in order (for change reports; decodes them all)."""
    directory = Path(directory)
    check_format(directory, read_meta(directory))
    db = _connect(directory / DB_FILE)
    try:
        return [_decode_place(hours, doc) for hours, doc in db.execute("SELECT hours, place FROM places ORDER BY pos")]
    except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
        raise IndexUnavailable(f"index in {directory} is unreadable: {exc}") from exc
    finally:
        db.close()


def open_store(directory: Path) -> Store:
    """Open a built version; ``StaleFormat`` if another format wrote it, ``IndexUnavailable`` if it
    is missing, incomplete or damaged. Reads no place: see ``Entries``."""
    directory = Path(directory)
    meta = read_meta(directory)
    check_format(directory, meta)
    db = _connect(directory / DB_FILE)
    try:
        count = db.execute("SELECT count(*) FROM places").fetchone()[0]
        grouped: dict[str, dict] = {"commune": {}, "departement": {}}
        by_code: dict[tuple[str, str], array] = {}
        for kind, key, blob in db.execute("SELECT kind, key, positions FROM groups"):
            if kind in grouped:
                grouped[kind][key] = _array("i", blob)
            else:
                by_code[(kind, key)] = _array("i", blob)
        grid = Grid.from_cells({(i, j): (_array("i", keys), _array("d", lats), _array("d", lons))
                                for i, j, keys, lats, lons in db.execute("SELECT i, j, keys, lats, lons FROM cells")})
        name_df = dict(db.execute("SELECT word, places FROM name_df"))
        words = [w for (w,) in db.execute("SELECT word FROM words")]
        ix = whoosh_index.open_dir(str(directory / WHOOSH_DIR))
    except (OSError, sqlite3.Error, whoosh_index.EmptyIndexError) as exc:
        db.close()
        raise IndexUnavailable(f"index in {directory} is unreadable: {exc}") from exc
    if ix.doc_count() != count:
        db.close()
        raise IndexUnavailable(f"index in {directory} holds {ix.doc_count()} documents for {count} places")
    entries = Entries(db, count)
    communes = {c: len(ps) for c, ps in grouped["commune"].items()}
    departements = {d: len(ps) for d, ps in grouped["departement"].items()}
    return Store(
        directory=directory, meta=meta, entries=entries, searcher=ix.searcher(),
        lexicon=Lexicon.build(words, communes, departements), grid=grid, by_id=ById(entries),
        by_departement=Grouped(grouped["departement"], entries), by_commune=Grouped(grouped["commune"], entries),
        by_code=by_code, name_df=name_df, db=db,
    )
