"""The web chat in a real browser: Debian's Chromium, driven by Playwright, against ``orienteur serve``.

Each server is a real subprocess on a free port serving an index home built in a temporary
folder (datasette's ``tests/test_playwright.py`` habit). Screenshots of the main states go to
tests/artifacts/webchat/ for a human to look at.
"""

from __future__ import annotations

import asyncio
import csv
import os
import re
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web

from index.conversation import Conversation, replies
from index.engine import Engine
from index.open_now import PARIS
from index.settings import SAMPLE_SOURCE, Settings
from tests.support.homes import ROOT, build_home
from tests.support.serving import Server, free_port
from webchat import words
from webchat.app import create_app
from webchat.views import STRINGS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts" / "webchat"
AXE_JS = Path(os.environ.get("ORIENTEUR_AXE_JS") or ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TOULOUSE = {"latitude": 43.6047, "longitude": 1.4442}
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT = 10_000


# ---------- servers ----------


def _serve(home: Path, log: Path, **env: str):
    """``orienteur serve`` over ``home`` (``tests.support.serving.Server``, ``env`` added to its
    environment); its log holds no traceback."""
    with Server(home, log, **env) as server:
        yield server
    said = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in said, said[-4000:]


@pytest.fixture(scope="session")
def real_server(real_home, tmp_path_factory):
    """The real RhinOcc directory (845 places), served."""
    yield from _serve(real_home, tmp_path_factory.mktemp("serve-real") / "serve.log")


def write_rhinocc(path: Path, changes: dict[str, str]) -> Path:
    """A one-place RhinOcc file: the sample's first row with ``changes``."""
    with open(SAMPLE_SOURCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = {**rows[0], **changes}
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(row)
        writer.writerow(rows[1])
    return path


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory):
    """A tiny directory whose place carries markup in its fields."""
    folder = tmp_path_factory.mktemp("hostile")
    source = write_rhinocc(folder / "lieux.csv", {
        "nom": XSS,
        "structure_porteuse": "<script>alert(2)</script>",
        **dict.fromkeys(("adresse", "adresse_full", "BAN_adress", "BAN_adress_full"), '17 avenue "><svg onload=alert(3)>'),
        "precisions": "<b onmouseover=alert(4)>gras</b>",
        "tel_structure": "05 36 49 00 01 <i>",
        "site_internet": "javascript:alert(5)",
    })
    home = build_home(folder / "home", [str(source)])
    yield from _serve(home, folder / "serve.log")


# ---------- the browser ----------


@pytest.fixture(scope="module")
def browser():
    """One Chromium for this module; closed with it, since the sync API's loop would block async tests."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Open a page in a fresh context; afterwards, check no dialog opened and the console stayed clean."""
    contexts, problems = [], []

    def open_(url: str, viewport=DESK, **options):
        # Reduced motion: no smooth scrolling, so screenshots show the page at rest.
        context = browser.new_context(viewport=viewport, locale="fr-FR", reduced_motion="reduce", **options)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto(url)
        page.wait_for_selector("#examples button")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert problems == []


def shoot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def ask(page, text: str, cards_before: int | None = None) -> None:
    """Type ``text`` in the question box, send it, and wait for the answer."""
    answers = page.locator(".message.assistant:not(.pending)").count()
    page.fill("#question", text)
    page.press("#question", "Enter")
    page.locator(".message.assistant:not(.pending)").nth(answers).wait_for()


def card_names(page) -> list[str]:
    return page.locator("article.card h3").all_inner_texts()


def last_reply(page) -> str:
    return page.locator(".message.assistant:not(.pending) > p.text").last.inner_text()


# ---------- asking ----------


def test_a_question_gets_the_cards_of_its_area(real_server, open_page):
    page = open_page(real_server.base)
    assert page.title() == words.WEB_TITLE
    assert page.evaluate("document.activeElement.id") == "question"
    shoot(page, "desk-empty")
    ask(page, "atelier informatique gers")
    assert "dans le Gers" in last_reply(page)
    cards = page.locator("article.card")
    assert cards.count() == 3
    for n in range(3):
        card = cards.nth(n)
        assert card.locator(".where").inner_text().split(", ")[-1][:2] == "32"
        assert card.get_by_role("link", name=STRINGS["mapShort"]).get_attribute("href").startswith(
            "https://www.openstreetmap.org/")
        assert card.get_by_role("link", name=replies.DIRECTIONS_BUTTON).count() == 1
    phone = page.locator("article.card a[href^='tel:']").first
    assert phone.get_attribute("href").replace("tel:", "").isdigit()
    assert page.get_by_role("button", name=words.MORE_BUTTON).is_visible()
    # The answer is announced to screen readers.
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('Gers')")
    shoot(page, "desk-results")


def test_today_s_hours_come_with_the_open_now_badge(real_server, open_page):
    page = open_page(real_server.base)
    ask(page, "france services tarbes")
    statuses = page.locator("article.card .status").all_inner_texts()
    assert statuses and all(s.startswith(("Ouvert", "Fermé", "Horaires non renseignés")) for s in statuses)
    assert any(f" · {replies.TODAY_LABEL} " in s for s in statuses)


def test_more_results_adds_the_next_places_and_moves_focus_to_them(real_server, open_page):
    page = open_page(real_server.base)
    ask(page, "atelier informatique gers")
    first = card_names(page)
    page.get_by_role("button", name=words.MORE_BUTTON).click()
    page.locator("article.card").nth(5).wait_for()
    names = card_names(page)
    assert names[:3] == first and not set(names[3:]) & set(first)
    assert "(4 à 6)" in last_reply(page)
    assert page.evaluate("document.activeElement.textContent") == names[3]
    assert page.get_by_role("button", name=words.MORE_BUTTON).count() == 1  # only the last answer's


def test_a_follow_up_keeps_the_conversation(real_server, open_page):
    page = open_page(real_server.base)
    ask(page, "atelier informatique gers")
    ask(page, "et le samedi ?")
    reply = last_reply(page)
    assert "samedi" in reply and "Gers" in reply


def test_around_me_with_a_granted_position(real_server, open_page):
    page = open_page(real_server.base, geolocation=TOULOUSE, permissions=["geolocation"])
    page.get_by_role("button", name=words.AROUND_ME_BUTTON).click()
    page.locator("article.card").first.wait_for()
    assert page.locator(".message.user").last.inner_text().strip().endswith(words.WEB_MY_POSITION)
    where = page.locator("article.card .where").all_inner_texts()
    assert where and all(" de vous · " in w for w in where)
    assert any("Toulouse" in w for w in where)
    shoot(page, "desk-around-me")


def test_around_me_with_a_refused_position_says_so(real_server, open_page):
    page = open_page(real_server.base)  # no permission granted: the browser refuses
    page.get_by_role("button", name=words.AROUND_ME_BUTTON).click()
    message = page.locator(".message.error").last
    message.wait_for()
    assert message.inner_text().strip().endswith(words.GEOLOCATION_REFUSED)
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Position refusée')")


def test_around_me_without_geolocation_says_unavailable(real_server, open_page, browser):
    page = open_page(real_server.base)
    page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'geolocation', {get: () => undefined})")
    page.reload()
    page.wait_for_selector("#examples button")
    page.get_by_role("button", name=words.AROUND_ME_BUTTON).click()
    message = page.locator(".message.error").last
    message.wait_for()
    assert message.inner_text().strip().endswith(words.GEOLOCATION_UNAVAILABLE)


def test_example_questions_can_be_clicked(real_server, open_page):
    page = open_page(real_server.base)
    page.get_by_role("button", name=replies.EXAMPLES[1]).click()
    page.locator("article.card").first.wait_for()
    assert "Narbonne" in last_reply(page)


# ---------- keyboard alone ----------


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim(),
                cls: e.className, type: e.type || '', label: e.closest('label') ? e.closest('label').innerText : '',
                outline: getComputedStyle(e).outlineStyle}; }""")


def tab_to(page, predicate, limit: int = 60, back: bool = False) -> dict:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if predicate(now):
            return now
    raise AssertionError(f"never reached by keyboard; last focus {now}")


def test_keyboard_alone_asks_pages_prints_and_copies(real_server, open_page):
    page = open_page(real_server.base, permissions=["clipboard-read", "clipboard-write"])
    page.keyboard.type("atelier informatique gers")
    page.keyboard.press("Enter")
    page.locator("article.card").nth(2).wait_for()
    assert focused(page)["id"] == "question"  # ready for the next question
    # Back from the question box: first the answer's "Plus de résultats".
    now = tab_to(page, lambda f: f["text"] == words.MORE_BUTTON, back=True)
    assert now["outline"] != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.locator("article.card").nth(5).wait_for()
    assert focused(page)["tag"] == "H3"
    # On to the new card's checkbox, ticked with the space bar.
    now = tab_to(page, lambda f: f["type"] == "checkbox")
    assert words.WEB_TO_PRINT in now["label"]
    page.keyboard.press("Space")
    assert page.locator("#selection-count").inner_text() == STRINGS["selectedOne"]
    # Copy the card with Enter on "Copier" (found backwards from the checkbox).
    tab_to(page, lambda f: f["text"].startswith(words.COPY_BUTTON), back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Texte copié')")
    # The skip link takes the keyboard from the top of the page to the question box.
    tab_to(page, lambda f: f["text"] == words.WEB_SKIP_TO_QUESTION, limit=120)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "question"
    # An example question from the keyboard.
    tab_to(page, lambda f: f["text"] == replies.EXAMPLES[0], back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.message.user').length === 2")


# ---------- copy ----------


def test_copy_puts_the_card_as_plain_text_on_the_clipboard(real_server, open_page):
    page = open_page(real_server.base, permissions=["clipboard-read", "clipboard-write"])
    ask(page, "démarches caf narbonne")
    card = page.locator("article.card").first
    name = card.locator("h3").inner_text()
    card.get_by_role("button", name=words.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Texte copié')")
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.splitlines()[0] == name
    assert "https://www.openstreetmap.org/" in text and "<" not in text


def test_copy_without_the_clipboard_api_falls_back_to_a_selected_text(real_server, open_page):
    page = open_page(real_server.base)
    page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})")
    page.reload()
    page.wait_for_selector("#examples button")
    ask(page, "démarches caf narbonne")
    card = page.locator("article.card").first
    name = card.locator("h3").inner_text()
    # Plain HTTP on a local network: no clipboard API, but execCommand('copy') works.
    card.get_by_role("button", name=words.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Texte copié')")
    assert card.locator("textarea").count() == 0
    # Where even that fails, the text is left selected in a box for Ctrl+C.
    page.evaluate("document.execCommand = () => false")
    card.get_by_role("button", name=words.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Copie impossible')")
    area = card.locator("textarea")
    assert area.input_value().splitlines()[0] == name
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert page.evaluate("document.activeElement.selectionEnd - document.activeElement.selectionStart") > 0


# ---------- injection ----------


def test_markup_in_a_question_is_shown_as_text(real_server, open_page):
    page = open_page(real_server.base)
    ask(page, XSS + " <script>alert(2)</script> narbonne")
    bubble = page.locator(".message.user p").last
    assert bubble.inner_text() == XSS + " <script>alert(2)</script> narbonne"
    assert page.locator("#conversation img, #conversation script").count() == 0
    shoot(page, "xss-question", full_page=False)


def test_markup_in_the_data_is_shown_as_text(hostile_server, open_page):
    page = open_page(hostile_server.base)
    ask(page, "Toulouse")
    names = card_names(page)
    assert XSS in names
    card = page.locator("article.card", has=page.locator("h3", has_text=XSS))
    assert "<svg onload=alert(3)>" in card.locator(".where").inner_text()
    assert page.locator("#conversation img, #conversation svg, #conversation script, #conversation b").count() == 0
    hrefs = page.eval_on_selector_all("#conversation a", "links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    # Ticked for print, the sheet shows it as text too.
    card.locator("input.to-print").check()
    assert page.locator("#sheet h2").inner_text() == XSS
    assert page.locator("#sheet img:not(.qr)").count() == 0
    shoot(page, "xss-data")


# ---------- print ----------


def test_print_view_is_a_clean_sheet_of_the_chosen_places(real_server, open_page):
    page = open_page(real_server.base)
    page.context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; }")
    page.reload()
    page.wait_for_selector("#examples button")
    page.get_by_role("button", name=words.PRINT_BUTTON, exact=True).click()  # nothing chosen yet: says what to do
    assert page.locator("#print-count").inner_text() == words.WEB_PRINT_NOTHING
    assert page.evaluate("window.__printed") is None
    ask(page, "démarches caf narbonne")
    cards = page.locator("article.card")
    chosen = [cards.nth(0).locator("h3").inner_text(), cards.nth(2).locator("h3").inner_text()]
    cards.nth(0).get_by_label(words.WEB_TO_PRINT).check()
    cards.nth(2).get_by_label(words.WEB_TO_PRINT).check()
    page.get_by_role("button", name=words.PRINT_BUTTON, exact=True).click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert page.locator("#sheet").is_visible()
    for chrome in ("header.top", "#ask", "main"):
        assert not page.locator(chrome).is_visible(), chrome
    assert page.locator("#sheet h1").inner_text() == words.WEB_SHEET_TITLE
    assert page.locator("#sheet h2").all_inner_texts() == chosen
    assert "Tél" in page.locator("#sheet").inner_text() or "Téléphone" in page.locator("#sheet").inner_text()
    shoot(page, "print-sheet")
    # Unticked again: paper gets the answers without the chat's buttons and box.
    page.emulate_media(media="screen")
    for n in (0, 2):
        cards.nth(n).get_by_label(words.WEB_TO_PRINT).uncheck()
    page.emulate_media(media="print")
    assert page.locator("main").is_visible() and not page.locator("#ask").is_visible()
    assert not page.locator("article.card .actions").first.is_visible()
    shoot(page, "print-answers")


# ---------- widths and accessibility ----------


def test_phone_width_has_no_sideways_scroll(real_server, open_page):
    page = open_page(real_server.base, viewport=PHONE, is_mobile=True, has_touch=True)
    shoot(page, "phone-empty", full_page=False)
    ask(page, "atelier informatique gers")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#question").is_visible() and page.locator("#send").is_visible()
    box = page.locator("article.card").first.bounding_box()
    assert box["width"] <= PHONE["width"]
    shoot(page, "phone-results", full_page=False)


def run_axe(page) -> list[dict]:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # evaluated by the driver: the page's CSP allows no inline script
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical") or v["id"] == "region"]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_axe_finds_no_serious_violation(real_server, open_page, viewport):
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core not found at {AXE_JS}: npm install --no-save --prefix .cache/npm axe-core@4 "
                    "(or set ORIENTEUR_AXE_JS)")
    page = open_page(real_server.base, viewport=viewport)
    assert run_axe(page) == []
    ask(page, "atelier informatique gers")
    page.get_by_role("button", name=words.MORE_BUTTON).click()
    page.locator("article.card").nth(5).wait_for()
    page.locator("article.card").first.get_by_label(words.WEB_TO_PRINT).check()
    assert run_axe(page) == []


# ---------- the server process ----------


def test_access_log_keeps_paths_but_not_questions(real_server):
    url = real_server.base + "/api/search?q=atelier+pour+madame+Dupont+narbonne"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    deadline = time.monotonic() + 5
    while "GET /api/search" not in real_server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert '"GET /api/search" 200' in real_server.output()
    assert "Dupont" not in real_server.output()


# ---------- answers a person can act on (issue 10) ----------


class Clock:
    """The conversation's clock, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class InProcessServer:
    """The web chat app served from a thread of this process, for a conversation the test controls
    (a fixed clock): a real aiohttp server on 127.0.0.1, driven by the real browser."""

    def __init__(self, settings: Settings, conversation: Conversation) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings, conversation, watch=False)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> InProcessServer:
        self.thread.start()
        self.runner = web.AppRunner(self.app, access_log=None)
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def write_places(path: Path, changes: list[dict[str, str]]) -> Path:
    """A RhinOcc file of the sample's first rows, each with its ``changes``."""
    with open(SAMPLE_SOURCE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row, change in zip(rows, changes, strict=False):
            writer.writerow({**row, **change})
    return path


WEEK = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
OFFICE_HOURS = {**dict.fromkeys(WEEK[:5], "9h-12h / 14h-17h"), "samedi": "Fermé", "dimanche": "Fermé"}
NO_HOURS = dict.fromkeys(WEEK, "")


@pytest.fixture(scope="module")
def clocked_server(tmp_path_factory, real_engine):
    """Two Toulouse places (office hours; no hours at all) served with a clock the test sets."""
    folder = tmp_path_factory.mktemp("clocked")
    source = write_places(folder / "lieux.csv", [OFFICE_HOURS, NO_HOURS])
    home = build_home(folder / "home", [str(source)])
    clock = Clock(datetime(2026, 12, 2, 10, 30, tzinfo=PARIS))
    settings = Settings.from_env({}, home=str(home))
    with InProcessServer(settings, Conversation(Engine(home=home), now=clock)) as server:
        server.clock = clock
        yield server


@pytest.mark.parametrize(("moment", "office", "why"), [
    (datetime(2026, 12, 2, 10, 30), "Ouvert · jusqu'à 12 h", "open"),
    (datetime(2026, 12, 2, 12, 30), "Fermé · ouvre à 14 h", "opening later today"),
    (datetime(2026, 12, 2, 18, 0), "Fermé · ouvre demain à 9 h", "closed for the day"),
    (datetime(2026, 12, 5, 11, 0), "Fermé · ouvre lundi à 9 h", "the weekend"),
    (datetime(2026, 11, 11, 10, 30), "Fermé (jour férié) · ouvre demain à 9 h", "a public holiday"),
])
def test_the_open_now_badge_against_a_fixed_clock(clocked_server, open_page, moment, office, why):
    clocked_server.clock.now = moment.replace(tzinfo=PARIS)
    page = open_page(clocked_server.url)
    ask(page, "Toulouse")
    badges = dict(zip(card_names(page), page.locator("article.card .badge").all_inner_texts(), strict=True))
    assert badges["Espace numérique des Carmes (exemple)"] == office, why
    assert badges["France Services Toulouse Minimes (exemple)"] == "Horaires non renseignés : appeler avant"


@pytest.mark.parametrize("viewport", [PHONE_SMALL := {"width": 375, "height": 812}, {"width": 1280, "height": 800}],
                         ids=["phone", "desk"])
def test_header_counts_equal_the_matching_cards_and_the_rest_is_labelled(real_server, open_page, viewport):
    page = open_page(real_server.base, viewport=viewport)
    ask(page, "ouvert le samedi à toulouse")
    said = int(last_reply(page).split()[0])
    assert last_reply(page).startswith(f"{said} lieux ouverts le samedi à Toulouse (1 à 3)")
    while page.get_by_role("button", name=words.MORE_BUTTON).count():
        answers = page.locator(".message.assistant").count()
        page.get_by_role("button", name=words.MORE_BUTTON).click()
        page.locator(".message.assistant:not(.pending)").nth(answers).wait_for()
    answers = page.locator(".message.assistant", has=page.locator("p.text", has_text="lieux ouverts le samedi"))
    matching = answers.locator("article.card:not(.padded)").count()
    padded = answers.locator("article.card.padded").count()
    assert matching == said and padded > 0
    # The town done, the last "plus" offered the nearest places beyond it.
    assert last_reply(page) == "C'est tout à Toulouse. Les plus proches au-delà :"
    # Every answer showing padded places labels them, above them.
    for answer in page.locator(".message.assistant:has(article.card.padded)").all():
        assert answer.locator(".padded-label").inner_text() == "Autres lieux à Toulouse, horaires non précisés"
        assert answer.locator(".padded-label ~ ol.padded article.card").count() == \
            answer.locator("article.card.padded").count()
    shoot(page, f"padded-{viewport['width']}", full_page=False)


def test_cards_put_actions_first_and_fold_the_rest_in_half_a_phone_screen(real_server, open_page):
    page = open_page(real_server.base, viewport=PHONE_SMALL, is_mobile=True, has_touch=True)
    ask(page, "démarches caf narbonne")
    cards = page.locator("article.card")
    for n in range(cards.count()):
        card = cards.nth(n)
        order = card.evaluate("c => Array.from(c.children).map(e => e.classList[0] || e.tagName.toLowerCase())")
        expected = ["name", "status", "where", "actions", "more-info", "card-tools"]
        assert [o for o in order if o != "restrictions"] == [e for e in expected if e in order]
        if "restrictions" in order:
            assert order.index("restrictions") == order.index("actions") + 1
        assert card.locator("details.more-info").get_attribute("open") is None
        assert not card.locator("details.more-info .services").first.is_visible()
        assert card.bounding_box()["height"] <= PHONE_SMALL["height"] / 2, card.locator("h3").inner_text()
    youth = page.locator("article.card", has=page.locator(".restrictions", has_text="Réservé aux jeunes"))
    assert youth.count() >= 1
    first = cards.first
    first.locator("details.more-info summary").click()
    assert first.locator("table.hours, .provenance").first.is_visible()
    assert "Source : RhinOcc" in first.locator("details.more-info").inner_text()
    shoot(page, "phone-cards", full_page=False)


def test_the_sms_text_is_short_and_names_the_place(real_server, open_page):
    page = open_page(real_server.base, permissions=["clipboard-read", "clipboard-write"])
    ask(page, "ouvert le samedi à toulouse")
    for n in range(3):
        card = page.locator("article.card").nth(n)
        card.get_by_role("button", name=STRINGS["smsCopy"]).click()
        page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Texte copié')")
        text = page.evaluate("navigator.clipboard.readText()")
        assert len(text) <= 300 and text.splitlines()[0] == card.locator("h3").inner_text()
        assert "openstreetmap.org" in text and ".csv" not in text and "lieux-geocodes" not in text
        page.evaluate("document.getElementById('announce').textContent = ''")


@pytest.fixture(scope="module")
def desk_server(real_home):
    settings = Settings.from_env({}, home=str(real_home), desk_name="France Services de Muret")
    with InProcessServer(settings, Conversation(Engine(home=real_home))) as server:
        yield server


def test_the_referral_sheet_is_one_page_with_note_desk_date_and_qr_codes(desk_server, open_page, tmp_path):
    import pypdfium2
    import zxingcpp

    page = open_page(desk_server.url)
    ask(page, "démarches caf narbonne")
    cards = page.locator("article.card")
    chosen = {}
    for n in range(3):
        cards.nth(n).locator("input.to-print").check()
        chosen[cards.nth(n).locator("h3").inner_text()] = cards.nth(n).get_by_role(
            "link", name=STRINGS["mapShort"]).get_attribute("href")
    bar = page.get_by_role("region", name=STRINGS["selectionRegion"])
    assert bar.is_visible() and STRINGS["selectedMany"].format(n=3) in bar.inner_text()
    page.get_by_label(STRINGS["note"]).fill("Venir avec sa carte Vitale et un justificatif de domicile.")
    page.wait_for_function("() => Array.from(document.querySelectorAll('#sheet img.qr')).every(i => i.complete)")
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4")
    document = pypdfium2.PdfDocument(str(pdf))
    assert len(document) == 1, "three places fit on one page"
    text = document[0].get_textpage().get_text_range()
    for expected in ("Venir avec sa carte Vitale", "France Services de Muret", "vérifier par téléphone",
                     *(name[:25] for name in chosen)):
        assert expected in " ".join(text.split()), expected
    assert re.search(r"Annuaire consulté le \d{1,2} \w+ 20\d\d", " ".join(text.split()))
    image = document[0].render(scale=4).to_pil()
    decoded = {r.text for r in zxingcpp.read_barcodes(image)}
    assert decoded == set(chosen.values())
    shoot(page, "sheet-screen", full_page=False)


def test_ctrl_p_without_a_choice_prints_the_current_answer_only(real_server, open_page):
    page = open_page(real_server.base)
    ask(page, "démarches caf narbonne")
    ask(page, "atelier informatique gers")
    page.emulate_media(media="print")
    shown = [a for a in page.locator(".message.assistant").all() if a.is_visible()]
    assert len(shown) == 1 and "Gers" in shown[0].inner_text()
    assert not page.locator(".message.user").first.is_visible()


def test_directions_and_map_are_above_the_fold_of_a_first_answer_on_a_desk(real_server, open_page):
    page = open_page(real_server.base, viewport={"width": 1280, "height": 800})
    ask(page, "atelier informatique gers")
    page.wait_for_timeout(100)  # the answer scrolls into view
    for link in (page.locator("article.card").nth(n).locator("a.action") for n in range(3)):
        for box in (link.nth(i).bounding_box() for i in range(link.count())):
            assert box["y"] >= 0 and box["y"] + box["height"] <= 800
