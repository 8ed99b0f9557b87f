"""The report's three parts as CSV files, for a spreadsheet: every row, every commune, every count."""

from __future__ import annotations

import csv
from pathlib import Path

from index.report import Report

ROWS_FILE, ZONES_FILE, ASKED_FILE = "lignes-a-corriger.csv", "loin-de-l-aide.csv", "demandes-sans-reponse.csv"


def write(report: Report, directory: Path) -> list[Path]:
    """Write the three files into ``directory`` (created); returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows = [("id", "nom", "commune", "departement", "probleme", "code", "precision", "a_faire")]
    rows += [(f.id, f.name, f.commune, f.departement, f.label, f.problem, f.detail, f.todo) for f in report.findings]
    zones = [("besoin", "insee", "commune", "departement", "population", "distance_km", "lieu_id", "lieu_nom",
              "lieu_commune")]
    zones += [(need, z.commune.insee, z.commune.name, z.commune.departement, z.commune.population,
               "" if z.km is None else f"{z.km:.2f}", z.nearest_id, z.nearest_name, z.nearest_commune)
              for need, listed in report.zones.items() for z in listed]
    asked = [("jour", "besoin", "zone", "issue", "nombre")]
    asked += [(c.day, c.need, c.area, c.outcome, c.count) for c in report.asked]
    written = []
    for name, table in ((ROWS_FILE, rows), (ZONES_FILE, zones), (ASKED_FILE, asked)):
        path = directory / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)
        written.append(path)
    return written
