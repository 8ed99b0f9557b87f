"""The report as one self-contained French HTML page: inline CSS and SVG maps, no script, no link out.

It opens without network and prints (each part on its own pages, tables kept readable).
Every value from the data is escaped (``esc``); the maps are drawn from the gazetteer's town
halls: the communes of the covered départements as grey dots (once, ``<use>``d by each map),
the places meeting the need as small blue squares, and one numbered red mark per listed commune.
"""

from __future__ import annotations

import html
import math
from collections import Counter, defaultdict

from index.asked import OUTCOMES, Count
from index.gazetteer import Commune, load_gazetteer
from index.needs import NEEDS
from index.report import Report
from index.report.rows import PROBLEMS, Finding
from index.report.zones import Zone

LISTED = 15
"""Communes listed (and marked on the map) per need."""
MAP_SIZE = 560.0
"""Width of a map's drawing, in SVG units (the height follows the area's shape)."""
OUTCOME_LABELS = {"answered": "trouvé sur place", "far": "seulement loin", "unconfirmed": "seulement non confirmé",
                  "none": "rien trouvé"}

CSS = """
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #1b1f24; margin: 1.5rem auto; max-width: 70rem;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #1b1f24; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #9aa3ad; padding: .2rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #e8edf2; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #4a5360; } .zone { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
svg.map { border: 1px solid #9aa3ad; background: #fff; max-width: 100%; height: auto; }
.bg { stroke: #b9c0c8; stroke-width: 2.2; stroke-linecap: round; fill: none; }
.offer { stroke: #1f5fa8; stroke-width: 5; stroke-linecap: square; fill: none; } .mark { fill: #c0262d; stroke: #fff; stroke-width: 1; }
.label { font-size: 11px; fill: #1b1f24; paint-order: stroke; stroke: #fff; stroke-width: 3px; font-weight: 700; }
svg.defs { position: absolute; } .leader { stroke: #c0262d; stroke-width: .8; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; } h2 { break-before: page; }
  table, svg.map { break-inside: avoid; } nav { display: none; }
}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def km(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def render(report: Report) -> str:
    """The whole page."""
    source = report.source
    served = plural(report.places, "lieu", "lieux")
    if report.rows != report.places:
        served += f" ({report.rows} lignes dans l'annuaire : des lignes en double n'y font qu'un lieu)"
    parts = [
        "<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Rapport Orienteur — version {esc(report.version)}</title>",
        f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
        "<h1>Où l'annuaire laisse les gens sans réponse</h1>",
        f'<p>Version servie <strong>{esc(report.version)}</strong> : {esc(served)}. '
        f"{esc(report.attribution)} ({esc(', '.join(source.sources))}, datées du {esc(source.date)}). "
        f"Rapport établi le {esc(report.generated_at[:10])} à partir de la version servie à cet instant.</p>",
        '<nav aria-label="Sommaire"><ol><li><a href="#lignes">Lignes à corriger</a></li>'
        '<li><a href="#zones">Loin de l\'aide</a></li>'
        '<li><a href="#demandes">Ce qu\'on a demandé sans trouver</a></li></ol></nav>',
        _rows_part(report), _zones_part(report), _asked_part(report),
        "</main>", "</body>", "</html>",
    ]
    return "\n".join(parts)


# -- 1. rows to fix ----------------------------------------------------------------------------

def _rows_part(report: Report) -> str:
    findings = report.findings
    by_problem = Counter(f.problem for f in findings)
    departements = sorted({f.departement for f in findings})
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in findings:
        cells[(f.problem, f.departement)].add(f.id)
    rows_with = len({f.id for f in findings})
    out = ['<section aria-labelledby="lignes">', '<h2 id="lignes">1. Lignes à corriger</h2>',
           f"<p>{plural(rows_with, 'ligne a', 'lignes ont')} au moins un problème, sur {report.rows}.</p>"]
    if not report.warnings_kept:
        out.append('<p class="muted">Cette version a été construite sans garder les avertissements de lecture : '
                   "les téléphones, courriels, sites et points écartés n'y figurent pas. Reconstruisez-la.</p>")
    out += ["<table>", "<caption>Par problème</caption>",
            '<thead><tr><th scope="col">Problème</th><th scope="col" class="n">Lignes</th>'
            '<th scope="col">À faire</th></tr></thead><tbody>']
    for code, problem in PROBLEMS.items():
        rows = len({f.id for f in findings if f.problem == code})
        out.append(f'<tr><th scope="row">{esc(problem.label)}</th><td class="n">{rows}</td>'
                   f"<td>{esc(problem.todo)}</td></tr>")
    out += ["</tbody></table>", "<table>", "<caption>Par département (lignes concernées)</caption>",
            '<thead><tr><th scope="col">Problème</th>'
            + "".join(f'<th scope="col" class="n">{esc(d or "?")}</th>' for d in departements) + "</tr></thead><tbody>"]
    for code, problem in PROBLEMS.items():
        if by_problem[code]:
            out.append(f'<tr><th scope="row">{esc(problem.label)}</th>'
                       + "".join(f'<td class="n">{len(cells[(code, d)]) or ""}</td>' for d in departements) + "</tr>")
    out += ["</tbody></table>", _findings_table(findings), "</section>"]
    return "\n".join(out)


def _findings_table(findings: list[Finding]) -> str:
    out = ["<table>", "<caption>Ligne par ligne</caption>",
           '<thead><tr><th scope="col">Identifiant</th><th scope="col">Lieu</th><th scope="col">Commune</th>'
           '<th scope="col">Problème</th><th scope="col">Précision</th><th scope="col">À faire</th></tr></thead><tbody>']
    for f in findings:
        out.append(f"<tr><td>{esc(f.id)}</td><td>{esc(f.name)}</td><td>{esc(f.commune)} ({esc(f.departement)})</td>"
                   f"<td>{esc(f.label)}</td><td>{esc(f.detail)}</td><td>{esc(f.todo)}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


# -- 2. white zones ----------------------------------------------------------------------------

class Projection:
    """Longitude and latitude to map units: equirectangular, scaled by the cosine of the middle latitude."""

    def __init__(self, communes: list[Commune], size: float = MAP_SIZE, margin: float = 14.0) -> None:
        lats = [c.lat for c in communes] or [43.0, 44.0]
        lons = [c.lon for c in communes] or [1.0, 2.0]
        self.north, self.west = max(lats), min(lons)
        self.cos = math.cos(math.radians((max(lats) + min(lats)) / 2))
        span = max((max(lons) - min(lons)) * self.cos, max(lats) - min(lats), 1e-6)
        self.scale, self.margin = (size - 2 * margin) / span, margin
        self.width = size
        self.height = (max(lats) - min(lats)) * self.scale + 2 * margin

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (self.margin + (lon - self.west) * self.cos * self.scale, self.margin + (self.north - lat) * self.scale)


def _dots(points: list[tuple[float, float]]) -> str:
    """A path of zero-length strokes: thousands of dots in one element."""
    return "".join(f"M{x:.1f} {y:.1f}h0" for x, y in points)


def _zones_part(report: Report) -> str:
    # Every commune of the covered départements draws the background, however small.
    background = [c for c in load_gazetteer().communes if c.departement in report.departements and not c.parent]
    projection = Projection(background)
    population = f"{report.min_population:,}".replace(",", "\u202f")
    out = ['<section aria-labelledby="zones">', '<h2 id="zones">2. Loin de l\'aide</h2>',
           f"<p>Pour chaque besoin, les communes d'au moins {population} habitants les plus éloignées "
           "(à vol d'oiseau, depuis la mairie) du lieu le plus proche qui y répond. Sur les cartes : en gris, "
           "les communes des départements couverts ; en bleu, les lieux qui répondent au besoin ; en rouge, "
           "numérotées, les communes listées.</p>",
           '<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">'
           f'<defs><path id="communes" class="bg" d="{_dots([projection.xy(c.lat, c.lon) for c in background])}"/>'
           "</defs></svg>"]
    for n, need in enumerate(NEEDS):
        listed = report.zones.get(need.name, [])[:LISTED]
        offers = [projection.xy(lat, lon) for lat, lon in report.offers.get(need.name, [])]
        out += [f"<h3>{esc(need.name.capitalize())}</h3>", '<div class="zone">', _zone_table(need.name, listed),
                _zone_map(n, need.name, listed, offers, projection), "</div>"]
    out.append("</section>")
    return "\n".join(out)


def _zone_table(need: str, listed: list[Zone]) -> str:
    out = ["<table>", f"<caption>{esc(need.capitalize())} : les {len(listed)} communes les plus éloignées</caption>",
           '<thead><tr><th scope="col" class="n">N°</th><th scope="col">Commune</th>'
           '<th scope="col" class="n">Habitants</th><th scope="col" class="n">Distance (km)</th>'
           '<th scope="col">Lieu le plus proche</th></tr></thead><tbody>']
    for i, z in enumerate(listed, 1):
        nearest = f"{esc(z.nearest_name)} ({esc(z.nearest_commune)})" if z.nearest_id else "aucun lieu"
        out.append(f'<tr><td class="n">{i}</td><td>{esc(z.commune.name)} ({esc(z.commune.departement)})</td>'
                   f'<td class="n">{z.commune.population}</td><td class="n">{km(z.km)}</td><td>{nearest}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def _zone_map(n: int, need: str, listed: list[Zone], offers: list[tuple[float, float]],
              projection: Projection) -> str:
    title = f"Carte : {need}, les {len(listed)} communes les plus éloignées"
    width, height = projection.width, projection.height
    out = [f'<svg class="map" role="img" aria-labelledby="carte-{n}" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}">', f'<title id="carte-{n}">{esc(title)}</title>',
           '<use href="#communes"/>', f'<path class="offer" d="{_dots(offers)}"/>']
    labels: list[tuple[float, float]] = []
    marks, numbers = [], []  # numbers drawn last, over every mark
    for i, z in enumerate(listed, 1):
        x, y = projection.xy(z.commune.lat, z.commune.lon)
        lx, ly = _free_spot(x + 8, y + 4, labels)
        if abs(lx - x - 8) + abs(ly - y - 4) > 20:  # moved away from its mark: a thin line leads back
            marks.append(f'<line class="leader" x1="{x:.1f}" y1="{y:.1f}" x2="{lx - 1:.1f}" y2="{ly - 4:.1f}"/>')
        marks.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="6">'
                     f"<title>{i}. {esc(z.commune.name)} — {km(z.km)} km</title></circle>")
        numbers.append(f'<text class="label" x="{lx:.1f}" y="{ly:.1f}">{i}</text>')
    out += marks + numbers
    out.append("</svg>")
    return "\n".join(out)


def _free_spot(x: float, y: float, taken: list[tuple[float, float]]) -> tuple[float, float]:
    """Where a number label goes: beside its mark, else the nearest spot around it that covers no
    earlier label (neighbouring communes of one valley would print their numbers on each other)."""
    spots = [(x, y)] + [(x - 8 + dx * ring * 15, y + dy * ring * 12) for ring in range(1, 6)
                        for dx, dy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1))]
    spot = next((s for s in spots if all(abs(s[0] - tx) >= 16 or abs(s[1] - ty) >= 11 for tx, ty in taken)),
                spots[-1])
    taken.append(spot)
    return spot


# -- 3. what people asked ----------------------------------------------------------------------

def _asked_part(report: Report) -> str:
    out = ['<section aria-labelledby="demandes">', '<h2 id="demandes">3. Ce qu\'on a demandé sans trouver</h2>']
    if not report.recording:
        out += ["<p>Le décompte des questions est désactivé (ORIENTEUR_RECORD_ASKED=0).</p>", "</section>"]
        return "\n".join(out)
    counts = report.asked
    total = sum(c.count for c in counts)
    failed = [c for c in counts if c.outcome != "answered"]
    out.append(f"<p>Sur les {report.days} derniers jours : {plural(total, 'question', 'questions')}, dont "
               f"{sum(c.count for c in failed)} sans lieu sur place qui réponde. Seul ce que l'assistant a compris "
               "est gardé (besoin, zone, jour, issue) : jamais le texte, une conversation, une adresse ou une position.</p>")
    out.append(_asked_table("Par besoin", "Besoin", counts, lambda c: c.need or "aucun besoin reconnu"))
    out.append(_asked_table("Par zone (les 30 premières)", "Zone", counts, lambda c: c.area or "aucune zone", 30))
    out.append(_asked_table("Par jour", "Jour", counts, lambda c: c.day, ordered=True))
    out.append("</section>")
    return "\n".join(out)


def _asked_table(caption: str, heading: str, counts: list[Count], key, limit: int | None = None,
                 ordered: bool = False) -> str:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for c in counts:
        table[key(c)][c.outcome] += c.count
    failed = ("none", "far", "unconfirmed")
    keys = sorted(table, reverse=True) if ordered else \
        sorted(table, key=lambda k: (-sum(table[k][o] for o in failed), k))
    keys = [k for k in keys if any(table[k][o] for o in failed)][:limit]
    out = ["<table>", f"<caption>{esc(caption)}</caption>", f'<thead><tr><th scope="col">{esc(heading)}</th>'
           + "".join(f'<th scope="col" class="n">{esc(OUTCOME_LABELS[o])}</th>' for o in (*failed, "answered"))
           + "</tr></thead><tbody>"]
    for k in keys:
        out.append(f'<tr><th scope="row">{esc(k)}</th>'
                   + "".join(f'<td class="n">{table[k][o]}</td>' for o in (*failed, "answered")) + "</tr>")
    if not keys:
        out.append(f'<tr><td colspan="{len(OUTCOMES) + 1}">aucune question restée sans réponse</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)
