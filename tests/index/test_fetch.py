"""index.fetch: files by content hash, URLs conditionally, within a time and a size."""

from __future__ import annotations

import gzip
import socket
import time

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


# --- servers that lie or stall, local files too large, packed or UTF-16 sources ---------------

ROWS = b"n_ref,nom\n" + b"".join(b"Ref_%d,Atelier %d\n" % (n, n) for n in range(2000))


def test_body_cut_short_of_its_content_length_is_refused_and_never_kept(tmp_path):
    with SourceServer(ROWS) as server:
        server.cut = ROWS.index(b"\n", len(ROWS) // 2) + 1  # ends on a whole row: only the count tells
        with pytest.raises(SourceError, match=rf"announced {len(ROWS)} bytes but sent {server.cut}"):
            fetch(server.url("/short"), cache_dir=tmp_path)
        assert not list(tmp_path.glob("*.body"))
        server.cut = len(ROWS)  # the same answer, whole this time: downloaded, not "not modified"
        got = fetch(server.url("/short"), cache_dir=tmp_path)
        assert got.data == ROWS and not got.not_modified
        assert server.hits[-1][1] is None


def test_chunked_body_without_its_last_chunk_is_refused(tmp_path):
    with SourceServer(ROWS) as server:
        server.cut = 8192
        with pytest.raises(SourceError, match="closed the connection before the end of the body"):
            fetch(server.url("/chunked-cut"), cache_dir=tmp_path)
        assert not list(tmp_path.glob("*.body"))


def test_trickling_server_is_cut_at_the_overall_deadline(tmp_path):
    with SourceServer(ROWS[:40]) as server:
        server.pace = 0.5  # each read gets a byte well within the timeout: only an overall deadline stops it
        started = time.monotonic()
        with pytest.raises(SourceError, match="did not finish within 1.5 s"):
            fetch(server.url("/trickle"), cache_dir=tmp_path, timeout=1.5)
        assert time.monotonic() - started < 2.5
        assert not list(tmp_path.glob("*.body"))


def test_redirect_to_ftp_is_refused_without_connecting(tmp_path):
    with socket.socket() as ftp, SourceServer(CSV) as server:
        ftp.bind(("127.0.0.1", 0))
        ftp.listen()
        ftp.settimeout(0.5)
        server.location = f"ftp://127.0.0.1:{ftp.getsockname()[1]}/lieux.csv"
        with pytest.raises(SourceError, match="redirects to a ftp URL; only http and https"):
            fetch(server.url("/redirect"), cache_dir=tmp_path, timeout=2)
        with pytest.raises(TimeoutError):
            ftp.accept()  # nobody came


def test_redirect_to_http_is_followed(tmp_path):
    with SourceServer(CSV) as server:
        server.location = server.url("/file")
        assert fetch(server.url("/redirect"), cache_dir=tmp_path).data == CSV


def test_local_file_larger_than_the_cap_is_refused(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(ROWS)
    with pytest.raises(SourceError, match="larger than the 1000 bytes allowed"):
        fetch(str(path), max_bytes=1000)
    assert fetch(str(path), max_bytes=len(ROWS)).data == ROWS


def test_gzip_source_is_read_unpacked_and_fingerprinted_as_sent(tmp_path):
    packed = gzip.compress(ROWS)
    path = tmp_path / "lieux.csv.gz"
    path.write_bytes(packed)
    got = fetch(str(path))
    assert got.data == ROWS
    assert got.fingerprint == fingerprint_of(packed)


def test_gzip_bomb_and_cut_gzip_are_refused(tmp_path):
    path = tmp_path / "lieux.csv.gz"
    path.write_bytes(gzip.compress(b"x" * 5_000_000))
    with pytest.raises(SourceError, match="unpacks to more than the 1000000 bytes"):
        fetch(str(path), max_bytes=1_000_000)
    path.write_bytes(gzip.compress(ROWS)[:500])
    with pytest.raises(SourceError, match="gzip file is cut short"):
        fetch(str(path))


def test_utf16_source_is_read_as_utf8(tmp_path):
    text = "n_ref,nom\nRef_1,Médiathèque de l'Ariège\n"
    path = tmp_path / "lieux.csv"
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        path.write_bytes(data if encoding == "utf-16" else b"\xfe\xff" + data)
        assert fetch(str(path)).data == text.encode("utf-8")
