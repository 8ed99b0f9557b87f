"""The web chat in a real browser: Debian's Chromium, driven by Playwright, against ``orienteur serve``.

Each server is a real subprocess on a free port serving an index home built in a temporary
folder (datasette's ``tests/test_playwright.py`` habit). Screenshots of the main states go to
tests/artifacts/webchat/ for a human to look at.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.conversation import replies
from index.settings import SAMPLE_SOURCE
from tests.support.homes import ROOT, build_home

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


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``orienteur serve`` in a subprocess; its output kept in a file and shown if it dies."""

    def __init__(self, home: Path, log: Path, **settings: str) -> None:
        self.port = find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "ORIENTEUR_HOME": str(home), "ORIENTEUR_LOG_LEVEL": "INFO", **settings}
        command = [str(Path(sys.executable).with_name("orienteur")), "serve", "--port", str(self.port)]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"orienteur serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"orienteur serve did not answer within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _serve(home: Path, log: Path, **settings: str):
    server = Server(home, log, **settings)
    try:
        server.wait()
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.output(), server.output()


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
    page = open_page(real_server.url)
    assert page.title() == replies.WEB_TITLE
    assert page.evaluate("document.activeElement.id") == "question"
    shoot(page, "desk-empty")
    ask(page, "atelier informatique gers")
    assert "Gers (32)" in last_reply(page)
    cards = page.locator("article.card")
    assert cards.count() == 3
    for n in range(3):
        card = cards.nth(n)
        assert card.locator(".address").inner_text().split(", ")[-1][:2] == "32"
        assert card.get_by_role("link", name=replies.MAP_BUTTON).get_attribute("href").startswith(
            "https://www.openstreetmap.org/")
        assert card.get_by_role("link", name=replies.DIRECTIONS_BUTTON).count() == 1
    phone = page.locator("article.card a[href^='tel:']").first
    assert phone.get_attribute("href").replace("tel:", "").isdigit()
    assert page.get_by_role("button", name=replies.MORE_BUTTON).is_visible()
    # The answer is announced to screen readers.
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('Gers')")
    shoot(page, "desk-results")


def test_today_is_highlighted_in_the_opening_hours(real_server, open_page):
    page = open_page(real_server.url)
    ask(page, "france services tarbes")
    today = page.locator("table.hours tr.today")
    assert today.count() >= 1
    day = page.evaluate("['dimanche','lundi','mardi','mercredi','jeudi','vendredi','samedi'][new Date().getDay()]")
    assert today.first.locator("th").inner_text().startswith(day)
    assert replies.TODAY_LABEL in today.first.inner_text()


def test_more_results_adds_the_next_places_and_moves_focus_to_them(real_server, open_page):
    page = open_page(real_server.url)
    ask(page, "atelier informatique gers")
    first = card_names(page)
    page.get_by_role("button", name=replies.MORE_BUTTON).click()
    page.locator("article.card").nth(5).wait_for()
    names = card_names(page)
    assert names[:3] == first and not set(names[3:]) & set(first)
    assert "(4 à 6 sur" in last_reply(page)
    assert page.evaluate("document.activeElement.textContent") == names[3]
    assert page.get_by_role("button", name=replies.MORE_BUTTON).count() == 1  # only the last answer's


def test_a_follow_up_keeps_the_conversation(real_server, open_page):
    page = open_page(real_server.url)
    ask(page, "atelier informatique gers")
    ask(page, "et le samedi ?")
    reply = last_reply(page)
    assert "samedi" in reply and "Gers" in reply


def test_around_me_with_a_granted_position(real_server, open_page):
    page = open_page(real_server.url, geolocation=TOULOUSE, permissions=["geolocation"])
    page.get_by_role("button", name=replies.AROUND_ME_BUTTON).click()
    page.locator("article.card").first.wait_for()
    assert page.locator(".message.user").last.inner_text().strip().endswith(replies.WEB_MY_POSITION)
    distances = page.locator("article.card .distance").all_inner_texts()
    assert distances and all(d.endswith("de vous") for d in distances)
    assert any("Toulouse" in a for a in page.locator("article.card .address").all_inner_texts())
    shoot(page, "desk-around-me")


def test_around_me_with_a_refused_position_says_so(real_server, open_page):
    page = open_page(real_server.url)  # no permission granted: the browser refuses
    page.get_by_role("button", name=replies.AROUND_ME_BUTTON).click()
    message = page.locator(".message.error").last
    message.wait_for()
    assert message.inner_text().strip().endswith(replies.GEOLOCATION_REFUSED)
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Position refusée')")


def test_around_me_without_geolocation_says_unavailable(real_server, open_page, browser):
    page = open_page(real_server.url)
    page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'geolocation', {get: () => undefined})")
    page.reload()
    page.wait_for_selector("#examples button")
    page.get_by_role("button", name=replies.AROUND_ME_BUTTON).click()
    message = page.locator(".message.error").last
    message.wait_for()
    assert message.inner_text().strip().endswith(replies.GEOLOCATION_UNAVAILABLE)


def test_example_questions_can_be_clicked(real_server, open_page):
    page = open_page(real_server.url)
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
    page = open_page(real_server.url, permissions=["clipboard-read", "clipboard-write"])
    page.keyboard.type("atelier informatique gers")
    page.keyboard.press("Enter")
    page.locator("article.card").nth(2).wait_for()
    assert focused(page)["id"] == "question"  # ready for the next question
    # Back from the question box: first the answer's "Plus de résultats".
    now = tab_to(page, lambda f: f["text"] == replies.MORE_BUTTON, back=True)
    assert now["outline"] != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.locator("article.card").nth(5).wait_for()
    assert focused(page)["tag"] == "H3"
    # On to the new card's checkbox, ticked with the space bar.
    now = tab_to(page, lambda f: f["type"] == "checkbox")
    assert replies.WEB_TO_PRINT in now["label"]
    page.keyboard.press("Space")
    assert page.locator("#print-count").inner_text() == replies.WEB_PRINT_COUNT.format(n=1)
    # Copy the card with Enter on "Copier" (found backwards from the checkbox).
    tab_to(page, lambda f: f["text"].startswith(replies.COPY_BUTTON), back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Fiche copiée')")
    # The skip link takes the keyboard from the top of the page to the question box.
    tab_to(page, lambda f: f["text"] == replies.WEB_SKIP_TO_QUESTION, limit=120)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "question"
    # An example question from the keyboard.
    tab_to(page, lambda f: f["text"] == replies.EXAMPLES[0], back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.message.user').length === 2")


# ---------- copy ----------


def test_copy_puts_the_card_as_plain_text_on_the_clipboard(real_server, open_page):
    page = open_page(real_server.url, permissions=["clipboard-read", "clipboard-write"])
    ask(page, "démarches caf narbonne")
    card = page.locator("article.card").first
    name = card.locator("h3").inner_text()
    card.get_by_role("button", name=replies.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Fiche copiée')")
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.splitlines()[0] == name
    assert "https://www.openstreetmap.org/" in text and "<" not in text


def test_copy_without_the_clipboard_api_falls_back_to_a_selected_text(real_server, open_page):
    page = open_page(real_server.url)
    page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})")
    page.reload()
    page.wait_for_selector("#examples button")
    ask(page, "démarches caf narbonne")
    card = page.locator("article.card").first
    name = card.locator("h3").inner_text()
    # Plain HTTP on a local network: no clipboard API, but execCommand('copy') works.
    card.get_by_role("button", name=replies.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Fiche copiée')")
    assert card.locator("textarea").count() == 0
    # Where even that fails, the text is left selected in a box for Ctrl+C.
    page.evaluate("document.execCommand = () => false")
    card.get_by_role("button", name=replies.COPY_BUTTON).click()
    page.wait_for_function("() => document.getElementById('announce').textContent.startsWith('Copie impossible')")
    area = card.locator("textarea")
    assert area.input_value().splitlines()[0] == name
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert page.evaluate("document.activeElement.selectionEnd - document.activeElement.selectionStart") > 0


# ---------- injection ----------


def test_markup_in_a_question_is_shown_as_text(real_server, open_page):
    page = open_page(real_server.url)
    ask(page, XSS + " <script>alert(2)</script> narbonne")
    bubble = page.locator(".message.user p").last
    assert bubble.inner_text() == XSS + " <script>alert(2)</script> narbonne"
    assert page.locator("#conversation img, #conversation script").count() == 0
    shoot(page, "xss-question", full_page=False)


def test_markup_in_the_data_is_shown_as_text(hostile_server, open_page):
    page = open_page(hostile_server.url)
    ask(page, "Toulouse")
    names = card_names(page)
    assert XSS in names
    card = page.locator("article.card", has=page.locator("h3", has_text=XSS))
    assert "<svg onload=alert(3)>" in card.locator(".address").inner_text()
    assert page.locator("#conversation img, #conversation svg, #conversation script, #conversation b").count() == 0
    hrefs = page.eval_on_selector_all("#conversation a", "links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    # Ticked for print, the sheet shows it as text too.
    card.locator("input.to-print").check()
    assert page.locator("#sheet h2").inner_text() == XSS
    assert page.locator("#sheet img").count() == 0
    shoot(page, "xss-data")


# ---------- print ----------


def test_print_view_is_a_clean_sheet_of_the_chosen_places(real_server, open_page):
    page = open_page(real_server.url)
    page.context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; }")
    page.reload()
    page.wait_for_selector("#examples button")
    page.get_by_role("button", name=replies.PRINT_BUTTON).click()  # nothing chosen yet: says what to do
    assert page.locator("#print-count").inner_text() == replies.WEB_PRINT_NOTHING
    assert page.evaluate("window.__printed") is None
    ask(page, "démarches caf narbonne")
    cards = page.locator("article.card")
    chosen = [cards.nth(0).locator("h3").inner_text(), cards.nth(2).locator("h3").inner_text()]
    cards.nth(0).get_by_label(replies.WEB_TO_PRINT).check()
    cards.nth(2).get_by_label(replies.WEB_TO_PRINT).check()
    page.get_by_role("button", name=replies.PRINT_BUTTON).click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert page.locator("#sheet").is_visible()
    for chrome in ("header.top", "#ask", "main"):
        assert not page.locator(chrome).is_visible(), chrome
    assert page.locator("#sheet h1").inner_text() == replies.WEB_SHEET_TITLE
    assert page.locator("#sheet h2").all_inner_texts() == chosen
    assert "Tél" in page.locator("#sheet").inner_text() or "Téléphone" in page.locator("#sheet").inner_text()
    shoot(page, "print-sheet")
    # Unticked again: paper gets the answers without the chat's buttons and box.
    page.emulate_media(media="screen")
    for n in (0, 2):
        cards.nth(n).get_by_label(replies.WEB_TO_PRINT).uncheck()
    page.emulate_media(media="print")
    assert page.locator("main").is_visible() and not page.locator("#ask").is_visible()
    assert not page.locator("article.card .actions").first.is_visible()
    shoot(page, "print-answers")


# ---------- widths and accessibility ----------


def test_phone_width_has_no_sideways_scroll(real_server, open_page):
    page = open_page(real_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
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
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_axe_finds_no_serious_violation(real_server, open_page, viewport):
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core not found at {AXE_JS}: npm install --no-save --prefix .cache/npm axe-core@4 "
                    "(or set ORIENTEUR_AXE_JS)")
    page = open_page(real_server.url, viewport=viewport)
    assert run_axe(page) == []
    ask(page, "atelier informatique gers")
    page.get_by_role("button", name=replies.MORE_BUTTON).click()
    page.locator("article.card").nth(5).wait_for()
    page.locator("article.card").first.get_by_label(replies.WEB_TO_PRINT).check()
    assert run_axe(page) == []


# ---------- the server process ----------


def test_access_log_keeps_paths_but_not_questions(real_server):
    url = real_server.url + "/api/search?q=atelier+pour+madame+Dupont+narbonne"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    deadline = time.monotonic() + 5
    while "GET /api/search" not in real_server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert '"GET /api/search" 200' in real_server.output()
    assert "Dupont" not in real_server.output()
