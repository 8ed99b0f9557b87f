"""The JSON API and the page, in-process: every endpoint, good input and bad."""

from __future__ import annotations

import json
import random
import re

import pytest

from index.conversation import Conversation, replies
from index.engine import Engine
from tests.support.homes import REAL_PLACES
from webchat import words
from webchat.app import create_app

JSON = "application/json"


async def ask(client, **body):
    response = await client.post("/api/chat", json=body)
    assert response.content_type == JSON
    return response.status, await response.json()


async def error_of(response, status: int) -> dict:
    """The 4xx/5xx JSON error of ``response``, checked for shape and for any trace of Python."""
    assert response.status == status
    assert response.content_type == JSON
    text = await response.text()
    assert "Traceback" not in text
    assert "File \"" not in text
    body = json.loads(text)
    assert set(body) == {"error", "code", "status"}
    assert body["status"] == status
    assert body["error"]
    return body


# ---------- the page ----------


async def test_page_is_french_with_its_strings_in_a_json_block(client):
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="fr">' in page
    block = re.search(r'<script type="application/json" id="strings">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block  # nothing in the data can close the element
    strings = json.loads(block)
    assert strings["more"] == words.MORE_BUTTON
    assert strings["map"] == replies.MAP_BUTTON
    assert strings["geolocationRefused"] == words.GEOLOCATION_REFUSED
    assert strings["examples"] == list(replies.EXAMPLES)
    # No inline script (the CSP would block it): every other script has a src.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('src="' in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "cdn" not in page.lower() and "https://" not in page


async def test_every_answer_carries_the_security_headers(client):
    for path in ("/", "/static/app.js", "/api/status", "/nowhere"):
        response = await client.get(path)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"


async def test_page_assets_are_served_from_the_package(client):
    page = await (await client.get("/")).text()
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css"), ("print.css", "text/css")):
        url = re.search(rf'"(/static/{re.escape(name)}\?v=[^"]+)"', page).group(1)
        response = await client.get(url.replace("&amp;", "&"))
        assert response.status == 200
        assert kind in response.content_type
    script = await (await client.get("/static/app.js")).text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


async def test_strings_endpoint_serves_the_wording(client):
    response = await client.get("/api/strings")
    assert response.status == 200
    assert (await response.json())["print"] == words.PRINT_BUTTON


# ---------- POST /api/chat ----------


async def test_chat_answers_cards_of_the_area_asked_and_a_session(client):
    status, body = await ask(client, message="atelier informatique gers")
    assert status == 200
    assert "Gers" in body["understood"]
    assert len(body["cards"]) == 3
    assert body["more"] is True
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", body["session"])
    for card in body["cards"]:
        assert card["id"] and card["name"]
        assert re.search(r"\b32\d{3}\b", card["address"]), card["address"]
        assert card["map_url"].startswith("https://www.openstreetmap.org/")


async def test_more_pages_the_same_conversation(client):
    _, first = await ask(client, message="atelier informatique gers")
    _, second = await ask(client, session=first["session"], more=True)
    assert second["offset"] == 3
    assert second["session"] == first["session"]
    first_ids = {c["id"] for c in first["cards"]}
    assert second["cards"] and not first_ids & {c["id"] for c in second["cards"]}
    _, third = await ask(client, session=first["session"], message="plus")
    assert third["offset"] == 6


async def test_more_without_a_session_asks_for_a_question_first(client):
    status, body = await ask(client, more=True)
    assert status == 200
    assert body["kind"] == "no_previous"
    assert body["reply"] == replies.NO_PREVIOUS


async def test_sessions_do_not_mix(client):
    _, desk_a = await ask(client, message="atelier informatique gers")
    _, desk_b = await ask(client, message="démarches caf narbonne")
    assert desk_a["session"] != desk_b["session"]
    _, more_a = await ask(client, session=desk_a["session"], more=True)
    assert all(re.search(r"\b32\d{3}\b", c["address"]) for c in more_a["cards"])


async def test_follow_up_keeps_the_area_and_adds_the_day(client):
    _, first = await ask(client, message="atelier informatique gers")
    _, follow = await ask(client, session=first["session"], message="et le samedi ?")
    assert follow["kind"] in ("results", "widened")
    assert "samedi" in follow["understood"] and "Gers" in follow["understood"]


async def test_location_alone_gives_the_nearest_places_with_distances(client):
    status, body = await ask(client, lat=43.6047, lon=1.4442)  # Toulouse, Capitole
    assert status == 200
    assert body["cards"]
    assert all(c["distance_text"].endswith("de vous") for c in body["cards"])


async def test_location_then_text_searches_around_the_location(client):
    _, first = await ask(client, lat=43.6047, lon=1.4442)
    _, second = await ask(client, session=first["session"], message="atelier")
    assert second["cards"]
    assert all("de vous" in c["distance_text"] for c in second["cards"])


async def test_unknown_session_token_starts_a_fresh_conversation(client):
    status, body = await ask(client, session="A" * 22, more=True)
    assert status == 200
    assert body["kind"] == "no_previous"


BAD_BODIES = [
    pytest.param(b"{not json", "bad_json", id="malformed-json"),
    pytest.param(b"", "bad_json", id="empty-body"),
    pytest.param(b"[1, 2]", "bad_json", id="array"),
    pytest.param(b'"atelier"', "bad_json", id="bare-string"),
    pytest.param(b"\xff\xfe\x00garbage", "bad_json", id="not-utf8"),
    pytest.param(b'{"message": 42}', "bad_type", id="message-number"),
    pytest.param(b'{"message": ["atelier"]}', "bad_type", id="message-list"),
    pytest.param(b'{"message": {"$ne": 1}}', "bad_type", id="message-object"),
    pytest.param(b'{"message": ""}', "missing_message", id="message-empty"),
    pytest.param(b'{"message": "   "}', "missing_message", id="message-blank"),
    pytest.param(b"{}", "missing_message", id="nothing"),
    pytest.param(b'{"lat": "43.6", "lon": "1.44"}', "bad_location", id="lat-string"),
    pytest.param(b'{"lat": 43.6}', "bad_location", id="lat-without-lon"),
    pytest.param(b'{"lat": 200, "lon": 1}', "bad_location", id="lat-off-globe"),
    pytest.param(b'{"lat": NaN, "lon": 1}', "bad_location", id="lat-nan"),
    pytest.param(b'{"lat": Infinity, "lon": 1}', "bad_location", id="lat-infinite"),
    pytest.param(b'{"lat": true, "lon": false}', "bad_location", id="lat-bool"),
    pytest.param(b'{"message": "x", "session": 12}', "bad_session", id="session-number"),
    pytest.param(b'{"message": "x", "session": "../../etc"}', "bad_session", id="session-path"),
    pytest.param(b'{"message": "x", "session": "short"}', "bad_session", id="session-short"),
    pytest.param(b'{"more": "yes"}', "bad_more", id="more-string"),
    pytest.param(json.dumps({"message": "a" * 501}).encode(), "message_too_long", id="message-too-long"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_BODIES)
async def test_chat_rejects_bad_input_with_a_french_4xx(client, raw, code):
    response = await client.post("/api/chat", data=raw, headers={"Content-Type": JSON})
    body = await error_of(response, 400)
    assert body["code"] == code
    if code == "message_too_long":
        assert body["error"] == replies.MESSAGE_TOO_LONG


async def test_chat_refuses_a_huge_body_with_413(client):
    raw = json.dumps({"message": "atelier " * 100_000}).encode()
    body = await error_of(await client.post("/api/chat", data=raw, headers={"Content-Type": JSON}), 413)
    assert body["error"] == words.WEB_TOO_LARGE


async def test_chat_takes_any_printable_text_of_allowed_length(client):
    for message in ("<img src=x onerror=alert(1)>", "'; DROP TABLE lieux; --", "\x00\x07atelier\u202e",
                    "🙂" * 100, "é" * 500, "%s%s%n", "{{7*7}}"):
        status, body = await ask(client, message=message)
        assert status == 200, message
        assert isinstance(body["reply"], str)


async def test_no_random_body_makes_the_server_fail(client, clock):
    rng = random.Random(4)
    atoms = [None, True, 0, -1, 1e308, "", "plus", "a" * 600, [], {}, [1], {"a": 1}, 43.6, "43.6"]
    keys = ["message", "lat", "lon", "session", "more", "extra"]
    bodies = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))) for _ in range(60)]
    for _ in range(140):
        body = {k: rng.choice(atoms) for k in rng.sample(keys, rng.randrange(len(keys) + 1))}
        bodies.append(json.dumps(body).encode())
    for raw in bodies:
        clock.advance(1)  # under the rate limit: this is about bad bodies, not floods
        response = await client.post("/api/chat", data=raw, headers={"Content-Type": JSON})
        assert response.status in (200, 400), (raw, response.status, await response.text())
        assert response.content_type == JSON


async def test_wrong_method_and_unknown_path_answer_json(client):
    body = await error_of(await client.get("/api/chat"), 405)
    assert body["error"] == words.WEB_METHOD_NOT_ALLOWED
    body = await error_of(await client.get("/api/nothing-here"), 404)
    assert body["error"] == words.WEB_NOT_FOUND


# ---------- GET /api/search ----------


async def test_search_is_stateless_and_pages_with_offset(client):
    response = await client.get("/api/search", params={"q": "atelier informatique gers", "limit": "6"})
    assert response.status == 200
    six = [c["id"] for c in (await response.json())["cards"]]
    assert len(six) == 6
    response = await client.get("/api/search", params={"q": "atelier informatique gers", "limit": "3",
                                                       "offset": "3"})
    body = await response.json()
    assert [c["id"] for c in body["cards"]] == six[3:]
    assert body["offset"] == 3
    assert "session" not in body


async def test_search_around_a_point(client):
    response = await client.get("/api/search", params={"q": "atelier", "lat": "43.6047", "lon": "1.4442"})
    body = await response.json()
    assert body["cards"] and all("de vous" in c["distance_text"] for c in body["cards"])


@pytest.mark.parametrize("params", [
    {"q": "atelier", "limit": "ten"},
    {"q": "atelier", "limit": "0"},
    {"q": "atelier", "limit": "1000"},
    {"q": "atelier", "offset": "-1"},
    {"q": "atelier", "offset": "1e3"},
    {"q": "atelier", "lat": "north", "lon": "1"},
    {"q": "atelier", "lat": "43.6"},
    {"q": "atelier", "lat": "nan", "lon": "1"},
    {"q": "atelier", "lat": "95", "lon": "1"},
    {"q": "a" * 501},
    {"q": ""},
    {},
], ids=lambda p: "&".join(f"{k}={v[:12]}" for k, v in p.items()) or "no-params")
async def test_search_rejects_bad_parameters_with_400(client, params):
    await error_of(await client.get("/api/search", params=params), 400)


# ---------- GET /api/places/{id} ----------


async def test_place_by_id_and_unknown_ids(client):
    _, body = await ask(client, message="démarches caf narbonne")
    card = body["cards"][0]
    response = await client.get(f"/api/places/{card['id']}")
    assert response.status == 200
    place = await response.json()
    assert place["id"] == card["id"] and place["name"] == card["name"]
    for unknown in ("Ref_999999", "%3Cscript%3E", "x" * 300, "%00", "..%2F..%2Fetc%2Fpasswd"):
        await error_of(await client.get(f"/api/places/{unknown}"), 404)


async def test_a_row_merged_into_a_place_answers_with_that_place(client):
    """The France Services row of GRABELS and its LAM row are one card; either id finds it, QR code included."""
    _, body = await ask(client, message="maison france services herault grabels")
    card = next(c for c in body["cards"] if "GRABELS" in c["name"])
    assert card["id"] == "Ref_0645"
    response = await client.get("/api/places/Ref_0522")
    assert response.status == 200
    place = await response.json()
    assert place["id"] == "Ref_0645" and place["name"] == card["name"]
    qr = await client.get("/api/places/Ref_0522/qr.svg")
    assert qr.status == 200 and qr.content_type == "image/svg+xml"


# ---------- status and health ----------


async def test_status_describes_the_served_index(client, real_engine):
    response = await client.get("/api/status")
    assert response.status == 200
    body = await response.json()
    assert body["places"] == REAL_PLACES
    assert body["version"] == real_engine.store.version
    assert body["built_at"]
    assert body["sources"] == [{"name": "lieux-geocodes.csv", "format": "rhinocc", "places": 845}]
    data = body["data"]
    assert data["publisher"] == "RhinOcc, Hub pour l'inclusion numérique en Occitanie"
    assert data["date"] == body["built_at"][:10] and data["age_days"] == 0 and data["fallback"] is None
    assert data["attribution"] == f"Données : {data['publisher']} · données de {replies.month_year(data['date'])}"


async def test_page_footer_says_whose_data_and_of_when(client):
    page = await (await client.get("/")).text()
    footer = re.search(r'<p id="attribution">(.*?)</p>', page).group(1)
    assert footer.startswith("Données : RhinOcc, Hub pour l&#x27;inclusion numérique en Occitanie · données de ")


async def test_healthz(client, real_engine):
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "version": real_engine.store.version}


async def test_without_an_index_every_endpoint_says_unavailable(make_client, tmp_path):
    client = await make_client(Conversation(Engine(home=tmp_path / "empty")))
    for response in (await client.get("/healthz"), await client.get("/api/status"),
                     await client.get("/api/places/Ref_0001")):
        body = await error_of(response, 503)
        assert body["error"] == replies.UNAVAILABLE
    status, body = await ask(client, message="atelier gers")
    assert status == 503
    assert body["reply"] == replies.UNAVAILABLE


async def test_unexpected_error_is_logged_and_answered_in_french_without_trace(aiohttp_client, web_settings,
                                                                                conversation, caplog):
    async def boom(request):
        raise RuntimeError("secret internals")

    app = create_app(web_settings, conversation)
    app.router.add_get("/boom", boom)
    client = await aiohttp_client(app)
    with caplog.at_level("ERROR", logger="webchat.middlewares"):
        response = await client.get("/boom")
    body = await error_of(response, 500)
    assert body["error"] == replies.ERROR
    assert "secret internals" not in await response.text()
    assert "RuntimeError" in caplog.text
