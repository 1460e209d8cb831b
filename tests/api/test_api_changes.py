"""`/v1/changes?since=`: the diff between an earlier snapshot and the served one."""

from __future__ import annotations

import shutil
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
            "feeders_added": 0, "feeders_removed": 0, "max_hc_changes": 0, "ders_now_installed": 0,
            "ders_new": 1, "ders_withdrawn": 0, "ders_removed": 0,
        }
        missing = client.get("/v1/changes", params={"since": "20200101T000000Z-000000"})
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/changes", params={"since": "x' OR 1=1"}).status_code == 422
