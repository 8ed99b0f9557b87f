"""GET /admin/report: behind the admin token, computed from the version served now, and a page that
renders in Chromium on its own (no other request), one map mark per listed commune, no serious
axe-core violation."""

from __future__ import annotations

import pytest

from index.conversation import Conversation
from index.engine import Engine
from index.rebuild import run_rebuild
from index.settings import SAMPLE_SOURCE, Settings
from tests.support.homes import REAL_CSV, REAL_PLACES, build_home
from tests.webchat.test_web_browser import AXE_JS, CHROMIUM, CHROMIUM_ARGS, ROOT, _serve, run_axe
from webchat.views import REPORT_CSP

TOKEN = "report-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


async def test_the_report_is_behind_the_admin_token(make_client, conversation):
    off = await make_client(conversation)
    assert (await off.get("/admin/report", headers=BEARER)).status == 404
    client = await make_client(conversation, admin_token=TOKEN)
    assert (await client.get("/admin/report")).status == 401
    assert (await client.get("/admin/report", headers={"Authorization": "Bearer nope"})).status == 401
    assert (await client.get("/admin/report?days=0", headers=BEARER)).status == 400
    response = await client.get("/admin/report?days=7", headers=BEARER)
    assert response.status == 200 and response.content_type == "text/html"
    assert response.headers["Content-Security-Policy"] == REPORT_CSP
    page = await response.text()
    assert f"{REAL_PLACES} lieux" in page and "Sur les 7 derniers jours" in page


async def test_the_report_counts_the_version_served_now(make_client, tmp_path):
    home = build_home(tmp_path / "home", [str(SAMPLE_SOURCE)])
    engine = Engine(home=home)
    client = await make_client(Conversation(engine), admin_token=TOKEN, home=str(home))
    assert "42 lieux" in await (await client.get("/admin/report", headers=BEARER)).text()
    run_rebuild(Settings.from_env({}, home=str(home), source=str(REAL_CSV)), force=True)
    engine.refresh()
    assert f"{REAL_PLACES} lieux" in await (await client.get("/admin/report", headers=BEARER)).text()


@pytest.fixture(scope="module")
def report_server(real_home, tmp_path_factory):
    yield from _serve(real_home, tmp_path_factory.mktemp("serve-report") / "serve.log", ORIENTEUR_ADMIN_TOKEN=TOKEN)


@pytest.mark.browser
def test_the_report_renders_alone_with_one_mark_per_listed_commune(report_server):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, extra_http_headers=BEARER)
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report_server.base + "/admin/report", wait_until="load")
            assert requests == [report_server.base + "/admin/report"]  # nothing else fetched: works offline
            assert page.locator("h1").inner_text() == "Où l'annuaire laisse les gens sans réponse"
            # The inline style applies (the report's CSP allows it): tables are collapsed, maps drawn.
            assert page.locator("table").first.evaluate("t => getComputedStyle(t).borderCollapse") == "collapse"
            maps = page.locator("svg.map")
            assert maps.count() == 5
            for n in range(maps.count()):
                block = page.locator("div.zone").nth(n)
                listed = block.locator("table tbody tr").count()
                assert listed == 15 and block.locator("svg.map circle.mark").count() == listed
                assert maps.nth(n).bounding_box()["width"] > 300
            ARTIFACTS = ROOT / "tests" / "artifacts" / "report"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-top.png"))
            page.locator("svg.map").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report-map.png"))
            page.emulate_media(media="print")  # on paper: no table of contents, each part on new pages
            assert page.locator("nav").evaluate("n => getComputedStyle(n).display") == "none"
            assert page.locator("h2").nth(1).evaluate("h => getComputedStyle(h).breakBefore") == "page"
            page.emulate_media(media="screen")
            if not AXE_JS.is_file():
                pytest.skip(f"axe-core not found at {AXE_JS}")
            assert run_axe(page) == []
        finally:
            browser.close()
