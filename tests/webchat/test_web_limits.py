"""Rate limiting per address, the rebuilt index picked up live, and the admin rebuild endpoint."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil

import pytest

from index.conversation import Conversation
from index.engine import Engine
from index.lock import rebuild_lock
from index.settings import SAMPLE_SOURCE
from tests.support.homes import REAL_CSV, REAL_PLACES, build_home
from tests.support.redis_server import running_redis
from webchat import words
from webchat.ratelimit import RateLimiter, RedisRateLimiter

# ---------- the token bucket alone ----------


def test_a_desk_at_ten_requests_a_second_for_a_minute_is_never_limited(clock):
    limiter = RateLimiter(rate=20, burst=60, clock=clock)
    for _ in range(600):
        assert limiter.take("192.0.2.1") == 0.0
        clock.advance(0.1)


def test_a_flood_is_cut_after_the_burst_and_told_how_long_to_wait(clock):
    limiter = RateLimiter(rate=20, burst=60, clock=clock)
    waits = [limiter.take("192.0.2.1") for _ in range(100)]
    assert waits[:60] == [0.0] * 60
    assert all(w > 0 for w in waits[60:])
    assert RateLimiter.retry_after(waits[-1]) == "1"
    clock.advance(1)  # 20 tokens back
    assert [limiter.take("192.0.2.1") for _ in range(20)] == [0.0] * 20
    assert limiter.take("192.0.2.1") > 0


def test_one_address_flooding_does_not_limit_another(clock):
    limiter = RateLimiter(rate=20, burst=60, clock=clock)
    for _ in range(200):
        limiter.take("192.0.2.1")
    assert limiter.take("192.0.2.1") > 0
    assert limiter.take("198.51.100.7") == 0.0


def test_buckets_are_bounded_in_number(clock):
    limiter = RateLimiter(rate=20, burst=60, clock=clock, max_clients=100)
    for n in range(1000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100


def test_nonsense_limits_are_refused():
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=0, burst=10)


# ---------- the limit over HTTP ----------


async def test_steady_desk_use_passes_over_http(client, clock):
    for n in range(600):  # ten a second for a minute
        response = await client.get("/api/status")
        assert response.status == 200, n
        clock.advance(0.1)


async def test_a_flood_from_one_address_gets_429_with_retry_after(client, clock):
    statuses = []
    for _ in range(120):
        response = await client.post("/api/chat", json={"message": "atelier gers"})
        statuses.append(response.status)
        if response.status == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.content_type == "application/json"
            assert (await response.json())["error"] == words.TOO_MANY_REQUESTS
    assert statuses[:60] == [200] * 60
    assert set(statuses[60:]) == {429}
    # The page itself and the health check stay reachable during the flood.
    assert (await client.get("/")).status == 200
    assert (await client.get("/healthz")).status == 200
    clock.advance(5)
    assert (await client.get("/api/status")).status == 200


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(make_client, conversation):
    client = await make_client(conversation, trusted_proxies="127.0.0.1")
    for _ in range(60):
        assert (await client.get("/api/status", headers={"X-Forwarded-For": "203.0.113.7"})).status == 200
    assert (await client.get("/api/status", headers={"X-Forwarded-For": "203.0.113.7"})).status == 429
    assert (await client.get("/api/status", headers={"X-Forwarded-For": "203.0.113.8"})).status == 200


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(client):
    for n in range(61):
        response = await client.get("/api/status", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    assert response.status == 429


# ---------- a rebuilt index is served without a restart ----------


async def test_a_rebuilt_index_is_picked_up_without_restart(make_client, sample_home, tmp_path):
    if not REAL_CSV.is_file():
        pytest.skip("../shared/data/rhinocc is not beside the project")
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    client = await make_client(Conversation(Engine(home=home)), home=str(home))
    before = await (await client.get("/api/status")).json()
    assert before["places"] == 42
    await asyncio.to_thread(build_home, home, [str(REAL_CSV)])  # as a rebuild job would, beside the server
    for _ in range(100):
        await asyncio.sleep(0.05)
        after = await (await client.get("/api/status")).json()
        if after["version"] != before["version"]:
            break
    assert after["places"] == REAL_PLACES
    response = await client.post("/api/chat", json={"message": "atelier informatique gers"})
    assert len((await response.json())["cards"]) == 3


# ---------- POST /admin/rebuild ----------


async def test_admin_rebuild_does_not_exist_without_a_token(client):
    response = await client.post("/admin/rebuild", headers={"Authorization": "Bearer "})
    assert response.status == 404
    assert response.content_type == "application/json"


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong-token", "Basic czNjcmV0",
                                           "Bearer s3cret-token-x", "bearer s3cret-token"[:-1]])
async def test_admin_rebuild_refuses_a_wrong_token(make_client, conversation, authorization):
    client = await make_client(conversation, admin_token="s3cret-token")
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await client.post("/admin/rebuild", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await response.json())["error"] == words.WEB_UNAUTHORIZED


@pytest.mark.parametrize("raw", [b"{bad", b"[]", b'{"sources": "a.csv"}', b'{"sources": [1]}',
                                 b'{"sources": []}', b'{"force": "yes"}'])
async def test_admin_rebuild_rejects_bad_bodies(make_client, conversation, raw):
    client = await make_client(conversation, admin_token="s3cret-token")
    response = await client.post("/admin/rebuild", data=raw,
                                 headers={"Authorization": "Bearer s3cret-token", "Content-Type": "application/json"})
    assert response.status == 400


async def test_admin_rebuild_while_another_runs_is_a_409(make_client, sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    client = await make_client(Conversation(Engine(home=home)), home=str(home), admin_token="s3cret-token")
    with rebuild_lock(home):  # held here, as by an hourly rebuild in another process
        response = await client.post("/admin/rebuild", json={"force": True},
                                     headers={"Authorization": "Bearer s3cret-token"})
    assert response.status == 409
    assert (await response.json())["code"] == "locked"


async def test_admin_rebuild_from_an_unusable_source_is_a_422_and_keeps_serving(make_client, sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    engine = Engine(home=home)
    before = engine.store.version
    broken = tmp_path / "broken.csv"
    broken.write_text("not;a;directory\n1;2;3\n", encoding="utf-8")
    client = await make_client(Conversation(engine), home=str(home), admin_token="s3cret-token",
                               rebuild_folder=str(tmp_path))
    response = await client.post("/admin/rebuild", json={"sources": [str(broken)]},
                                 headers={"Authorization": "Bearer s3cret-token"})
    assert response.status == 422
    assert (await response.json())["code"] == "refused"
    assert (await (await client.get("/api/status")).json())["version"] == before


async def test_admin_rebuild_runs_the_job_in_its_own_process_and_serves_the_result(
        make_client, sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    engine = Engine(home=home)
    before = engine.store.version
    # The sample with one place fewer: other content, so another version (versions are named by content).
    fewer = tmp_path / "fewer.csv"
    fewer.write_text("".join(SAMPLE_SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]),
                     encoding="utf-8")
    client = await make_client(Conversation(engine), home=str(home), source=str(fewer), admin_token="s3cret-token")
    response = asyncio.ensure_future(client.post("/admin/rebuild", json={"force": True},
                                                 headers={"Authorization": "Bearer s3cret-token"}))
    searched = []
    while not response.done():  # this process keeps answering while the rebuild runs in another
        searched.append((await client.get("/api/search?q=atelier")).status)
        await asyncio.sleep(0.05)
    response = response.result()
    assert response.status == 200, await response.text()
    report = await response.json()
    assert report["status"] == "rebuilt" and report["served"] == engine.store.version != before
    assert searched and set(searched) == {200}
    status = await (await client.get("/api/status")).json()
    assert status["version"] == engine.store.version


def test_settings_keep_the_admin_token_out_of_repr(settings):
    assert "s3cret" not in repr(dataclasses.replace(settings, admin_token="s3cret"))


def test_workers_share_one_bucket_per_address_in_redis_under_a_keyed_hash(redis_url):
    """Two workers (two limiters) take from the same bucket; Redis keeps no plain hash of the address,
    which trying every IPv4 address would reverse."""
    import hashlib

    import redis

    first, second = RedisRateLimiter(redis_url, rate=0.01, burst=2), RedisRateLimiter(redis_url, rate=0.01, burst=2)
    assert first.take("203.0.113.7") == 0.0 and second.take("203.0.113.7") == 0.0
    assert first.take("203.0.113.7") > 0 and second.take("203.0.113.7") > 0  # the shared bucket is empty
    assert second.take("198.51.100.1") == 0.0  # another address, another bucket
    keys = b" ".join(redis.Redis.from_url(redis_url).keys("orienteur:rate:*"))
    assert b"203.0.113.7" not in keys and hashlib.sha256(b"203.0.113.7").hexdigest()[:24].encode() not in keys


def test_a_redis_that_goes_down_lets_requests_through_and_is_logged_once(tmp_path, caplog):
    """The limiter must not take the web chat down with it: no limit while Redis does not answer."""
    with running_redis(tmp_path) as server:
        limiter = RedisRateLimiter(server.url, rate=0.01, burst=1)
        assert limiter.take("203.0.113.7") == 0.0 and limiter.take("203.0.113.7") > 0  # limited
        server.stop()
        with caplog.at_level(logging.WARNING, logger="webchat.ratelimit"):
            assert [limiter.take("203.0.113.7") for _ in range(5)] == [0.0] * 5
    [said] = [r.getMessage() for r in caplog.records if r.name == "webchat.ratelimit"]
    assert said.startswith("rate limits unavailable in Redis (ConnectionError") and "203.0.113.7" not in said
