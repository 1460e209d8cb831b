"""`/v1/changes?since=`: the diff between an earlier snapshot and the served one, computed once
per pair of snapshots, paged, and bounded in how many are computed at once."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hostcap.core import Hostcap


def test_changes_since_an_earlier_snapshot(refreshable, make_client, api_settings, tmp_path: Path):
    source = tmp_path / "src"
    shutil.copytree(refreshable.settings.source_dir, source)
    hostcap = Hostcap(refreshable.settings.model_copy(update={"source_dir": str(source)}))
    first = hostcap.refresh().run_id
    installed = next((source / "national_grid" / "installed_der").glob("*.csv"))
    installed.write_bytes(installed.read_bytes() + b"5151515,null,Solar,42,36_01_99999,0\r\n")
    second = hostcap.refresh()
    assert second.published
    with make_client(hostcap, api_settings()) as client:
        body = client.get("/v1/changes", params={"since": first}).json()
        assert (body["old"], body["new"], body["meta"]["snapshot"]) == (first, second.run_id, second.run_id)
        assert [d["native_der_id"] for d in body["ders_new"]] == ["5151515"]
        assert body["counts"] == {
            "feeders_added": 0,
            "feeders_removed": 0,
            "max_hc_changes": 0,
            "ders_now_installed": 0,
            "ders_new": 1,
            "ders_withdrawn": 0,
            "ders_removed": 0,
        }
        missing = client.get("/v1/changes", params={"since": "20200101T000000Z-000000"})
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/changes", params={"since": "x' OR 1=1"}).status_code == 422


KINDS = ["feeders_added", "feeders_removed", "max_hc_changes", "ders_now_installed", "ders_new", "ders_withdrawn", "ders_removed"]


def _pages(client, since: str, limit: int) -> tuple[dict[str, list], int]:
    """Every change of every kind, following next_cursor; and how many pages it took."""
    found: dict[str, list] = {kind: [] for kind in KINDS}
    params, pages = {"since": since, "limit": limit}, 0
    while True:
        response = client.get("/v1/changes", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert all(len(body[kind]) <= limit for kind in KINDS)
        for kind in KINDS:
            found[kind] += body[kind]
        if body["next_cursor"] is None:
            return found, pages
        params = {**params, "cursor": body["next_cursor"]}


def test_a_pair_is_diffed_once_for_many_parallel_requests_and_paged(
    refreshable, make_client, api_settings, wait_for, monkeypatch
):
    old = refreshable.lake.current()  # the whole sample; the refresh below loads two sources only
    new = refreshable.refresh().run_id
    real_diff, calls, asked = refreshable.diff, [], []
    expected = real_diff(old, new)

    def counted_diff(since: str, snapshot: str):
        calls.append((since, snapshot))
        wait_for(lambda: len(asked) == 16, "every request to be sent")  # so that they arrive while this runs
        return real_diff(since, snapshot)

    monkeypatch.setattr(refreshable, "diff", counted_diff)
    with make_client(refreshable, api_settings()) as client:

        def ask(_: int) -> dict:
            asked.append(1)
            response = client.get("/v1/changes", params={"since": old, "all_pages": "true"})
            assert response.status_code == 200, response.text
            return response.json()

        with ThreadPoolExecutor(16) as pool:
            bodies = list(pool.map(ask, range(16)))  # re-raises any thread's failure
        assert calls == [(old, new)]
        whole = bodies[0]
        assert all(body == whole for body in bodies)
        assert {kind: whole[kind] for kind in KINDS} == expected.model_dump(include=set(KINDS))
        assert whole["counts"] == expected.change_counts() and whole["count"] == sum(whole["counts"].values())
        assert whole["counts"]["feeders_removed"] > 10 and whole["counts"]["ders_removed"] > 10

        # paging: limit applies to each kind; following the cursor gives every change exactly once
        paged, pages = _pages(client, old, limit=7)
        assert paged == {kind: whole[kind] for kind in KINDS}
        assert pages == -(-max(whole["counts"].values()) // 7)
        first = client.get("/v1/changes", params={"since": old, "limit": 7})
        assert first.json()["counts"] == whole["counts"] and first.headers["x-total-count"] == str(whole["count"])
        assert calls == [(old, new)]  # pages answer from the one diff


def test_too_many_diffs_at_once_are_refused_with_retry_after(refreshable, make_client, api_settings, wait_for, monkeypatch):
    real_diff, entered, release = refreshable.diff, [], threading.Event()

    def slow_diff(since: str, snapshot: str):
        entered.append(since)
        assert release.wait(60), "the test never released the diffs"
        return real_diff(since, snapshot)

    monkeypatch.setattr(refreshable, "diff", slow_diff)
    unknown = ["20200101T000000Z-00000a", "20200101T000000Z-00000b", "20200101T000000Z-00000c"]
    with make_client(refreshable, api_settings()) as client, ThreadPoolExecutor(2) as pool:
        running = [pool.submit(client.get, "/v1/changes", params={"since": since}) for since in unknown[:2]]
        wait_for(lambda: len(entered) == 2, "two diffs to be computing")
        busy = client.get("/v1/changes", params={"since": unknown[2]})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        assert busy.headers["content-type"] == "application/problem+json" and "retry" in busy.json()["detail"]
        # the feeders are still answered at once while the diffs run
        assert client.get("/v1/feeders", params={"limit": 1}).status_code == 200
        release.set()
        assert [future.result().status_code for future in running] == [404, 404]  # neither snapshot exists
        assert client.get("/v1/changes", params={"since": unknown[2]}).status_code == 404  # no longer busy
        assert client.get("/v1/changes", params={"since": unknown[0]}).status_code == 404
        assert sorted(entered) == sorted([*unknown, unknown[0]])  # a failed pair is not kept: asked again, computed again
