"""Hostile cursors and query parameters: a client's input is answered with a 4xx problem, never a
5xx, and never puts a traceback in a response or in the server's log."""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostcap.api.paging import encode_cursor

FEEDER = "90846a9265100bed291343121a7ce5d9"  # coned 4Z81: DER and segments
#: every paged list
PAGED = [
    "/v1/feeders",
    "/v1/ders",
    "/v1/substations",
    f"/v1/feeders/{FEEDER}/ders",
    f"/v1/feeders/{FEEDER}/segments",
    "/v1/changes",
]
OLD_SNAPSHOT = "20200101T000000Z-000000"


def _required(path: str, snapshot: str) -> dict[str, str]:
    """The parameters a list needs besides its page: `/v1/changes` compares with a snapshot."""
    return {"since": snapshot} if path == "/v1/changes" else {}


def _raw(text: str | bytes) -> str:
    """Any text or bytes wrapped as a cursor is (URL-safe base64, unpadded)."""
    data = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hostile_cursors(snapshot: str) -> dict[str, str]:
    """Cursors a client can craft, each of which must be refused with 400."""
    offsets = {
        "superscript digit": "²",
        "arabic-indic digits": "١٢",
        "full-width digits": "１２",
        "negative": "-1",
        "signed": "+1",
        "spaces": " 1 ",
        "underscores": "1_000",
        "exponent": "1e3",
        "hex": "0x10",
        "empty": "",
        "huge": "9" * 100,
        "past int64": str(2**63),
    }
    cursors = {name: _raw(f"{snapshot}|{offset}") for name, offset in offsets.items()}
    cursors |= {
        "three parts": _raw(f"{snapshot}|1|2"),
        "no separator": _raw(snapshot),
        "not a snapshot id": _raw("../../etc|1"),
        "unicode snapshot digits": _raw(f"{snapshot.replace('2', '٢')}|1"),
        "not utf-8": _raw(b"\xff\xfe|1"),
        "bad base64 length": "A",
        "base64 of junk": "Zm9vfGJhcg",
        "non-canonical base64": _flip_padding_bit(encode_cursor(snapshot, 10)),
    }
    return cursors


def _flip_padding_bit(cursor: str) -> str:
    """The same bytes under a lenient decoder: the last character's unused low bit set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(cursor) % 4 in (2, 3)  # a cursor whose last character carries unused bits
    return cursor[:-1] + alphabet[alphabet.index(cursor[-1]) ^ 1]


@pytest.fixture(scope="module")
def server(sample_run, serve):
    """A real `hostcap serve` over the session's sample lake, with its log once stopped."""
    with serve(sample_run.hostcap.settings) as running:
        with httpx.Client(base_url=running.url, timeout=10) as client:
            yield client, sample_run.report.run_id
    assert "Traceback" not in running.output, running.output[-3000:]
    assert " 500 " not in running.output and "unhandled error" not in running.output


@pytest.mark.parametrize("path", PAGED)
def test_hostile_cursors_are_400_problems_on_every_paged_list(server, path):
    client, snapshot = server
    for name, cursor in hostile_cursors(snapshot).items():
        response = client.get(path, params={**_required(path, snapshot), "cursor": cursor})
        assert response.status_code == 400, (name, response.status_code, response.text[:500])
        assert response.headers["content-type"] == "application/problem+json", name
        assert "Traceback" not in response.text and len(response.content) < 1000, name
        assert "start again from the first page" in response.json()["detail"], name


@pytest.mark.parametrize("path", PAGED)
def test_a_cursor_of_another_snapshot_is_409_and_a_valid_one_pages(server, path):
    client, snapshot = server
    required = _required(path, snapshot)
    stale = client.get(path, params={**required, "cursor": encode_cursor(OLD_SNAPSHOT, 1)})
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"
    assert OLD_SNAPSHOT in stale.json()["detail"]
    first = client.get(path, params={**required, "limit": 1}).json()
    second = client.get(path, params={**required, "limit": 1, "cursor": encode_cursor(snapshot, 1)})
    assert second.status_code == 200 and second.json()["count"] == first["count"]
    past_the_end = client.get(path, params={**required, "cursor": encode_cursor(snapshot, 10**17)})
    assert past_the_end.status_code == 200 and past_the_end.json()["next_cursor"] is None
    assert not any(value for value in past_the_end.json().values() if isinstance(value, list))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(PAGED),
    params=st.dictionaries(
        st.sampled_from(["cursor", "limit", "format", "all_pages", "utility", "sort", "min_max_hc_mw", "status"]),
        st.one_of(st.text(max_size=40), st.integers().map(str), st.floats().map(str)),
        max_size=4,
    ),
    offset=st.one_of(st.none(), st.text(max_size=30), st.integers().map(str)),
)
def test_no_generated_query_is_a_server_error(client, sample_run, path, params, offset):
    """Fuzzed parameters, and cursors of the served snapshot with fuzzed offsets: the TestClient
    re-raises any unhandled error, and no answer is a 5xx."""
    snapshot = sample_run.report.run_id
    if offset is not None:
        params = {**params, "cursor": _raw(f"{snapshot}|{offset}")}
    params = {**_required(path, snapshot), **params}
    response = client.get(path, params=params)
    assert response.status_code < 500, (params, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
