"""index.fetch: files by content hash, URLs conditionally, within a time and a size."""

from __future__ import annotations

import pytest

from index.errors import SourceError
from index.fetch import Fetched, Unchanged, fetch, fingerprint_of, is_url
from tests.support.http_source import SourceServer, closed_port

CSV = b"n_ref,nom\nRef_1,Atelier\n"


def test_file_fingerprint_is_its_content_hash(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(CSV)
    got = fetch(str(path))
    assert isinstance(got, Fetched)
    assert got.data == CSV
    assert got.fingerprint == fingerprint_of(CSV)


def test_file_with_known_fingerprint_is_unchanged_until_its_content_changes(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(CSV)
    known = fetch(str(path)).fingerprint
    assert isinstance(fetch(str(path), known=known), Unchanged)
    path.write_bytes(CSV + b"Ref_2,Espace\n")
    assert isinstance(fetch(str(path), known=known), Fetched)


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="cannot read"):
        fetch(str(tmp_path / "absent.csv"))


def test_is_url_only_for_http():
    assert is_url("https://example.org/lieux.csv")
    assert is_url("HTTP://example.org/x")
    assert not is_url("/srv/lieux.csv")
    assert not is_url("data/http.csv")


def test_url_is_fetched_then_not_modified_from_the_kept_body(tmp_path):
    with SourceServer(CSV) as server:
        first = fetch(server.url("/file"), cache_dir=tmp_path)
        assert isinstance(first, Fetched)
        assert first.data == CSV
        assert not first.not_modified
        again = fetch(server.url("/file"), cache_dir=tmp_path)
        assert again.not_modified
        assert again.data == CSV
        assert isinstance(fetch(server.url("/file"), cache_dir=tmp_path, known=first.fingerprint), Unchanged)
        assert server.hits[0][1] is None
        assert server.hits[1][1] is not None  # the second request was conditional


def test_url_answer_that_changed_is_fetched_whole(tmp_path):
    with SourceServer(CSV) as server:
        known = fetch(server.url("/file"), cache_dir=tmp_path).fingerprint
        server.body = CSV + b"Ref_2,Espace\n"
        got = fetch(server.url("/file"), cache_dir=tmp_path, known=known)
        assert isinstance(got, Fetched)
        assert got.data == server.body


def test_lost_cache_body_means_an_unconditional_request(tmp_path):
    with SourceServer(CSV) as server:
        fetch(server.url("/file"), cache_dir=tmp_path)
        for body in tmp_path.glob("*.body"):
            body.write_bytes(b"tampered")
        got = fetch(server.url("/file"), cache_dir=tmp_path)
        assert got.data == CSV
        assert server.hits[-1][1] is None


def test_http_error_names_the_status(tmp_path):
    with SourceServer(CSV) as server, pytest.raises(SourceError, match="HTTP 500"):
        fetch(server.url("/status/500"), cache_dir=tmp_path)


def test_closed_port_is_unreachable():
    with pytest.raises(SourceError, match="cannot reach"):
        fetch(f"http://127.0.0.1:{closed_port()}/lieux.csv", timeout=5)


def test_announced_size_above_the_cap_is_refused_before_reading():
    with SourceServer(CSV) as server, pytest.raises(SourceError, match="announces 2000000 bytes"):
        fetch(server.url("/big"), max_bytes=1_000_000)


def test_streamed_body_growing_past_the_cap_is_stopped():
    with SourceServer(CSV) as server, pytest.raises(SourceError, match="passed the 1000000 bytes"):
        fetch(server.url("/stream"), max_bytes=1_000_000)


def test_slow_server_times_out():
    with SourceServer(CSV) as server:
        server.delay = 3
        with pytest.raises(SourceError, match="within 0.5 s|cannot reach"):
            fetch(server.url("/slow"), timeout=0.5)
