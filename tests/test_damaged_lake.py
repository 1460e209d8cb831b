"""A damaged lake: a published snapshot's file that differs from what its publish wrote, a corrupt
or missing CURRENT.json or HISTORY.json. The server serves the newest intact snapshot and says so,
every command answers in one line (never a traceback), and a refresh repairs the lake."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.errors import LakeDamaged
from hostcap.serving import SnapshotStore
from tests.conftest import SAMPLE, copy_configs

SOURCES = ["national_grid/network", "national_grid/installed_der"]


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A lake with two published snapshots, (root, older, newer): the newer reloads both sources
    (so it borrows nothing from the older), each with a row fewer."""
    root = tmp_path_factory.mktemp("two-snapshots")
    for source_id in SOURCES:
        shutil.copytree(SAMPLE / source_id, root / "src" / source_id)
    hostcap = _hostcap(root)
    older = hostcap.refresh()
    for source_id in SOURCES:
        data = next((root / "src" / source_id).glob("*.csv"))
        lines = data.read_bytes().splitlines(keepends=True)
        data.write_bytes(b"".join(lines[:-1]))
    newer = hostcap.refresh()
    assert older.published and newer.published, (older.error, newer.error)
    return root, older.snapshot, newer.snapshot


def _hostcap(root: Path, **settings: object) -> Hostcap:
    configs = root / "configs"
    if not configs.exists():
        copy_configs(configs, SOURCES)
    return Hostcap(Settings(source_dir=str(root / "src"), lake_dir=str(root / "lake"), config_dir=configs, **settings))


@pytest.fixture
def lake_copy(two_snapshots, tmp_path: Path) -> tuple[Hostcap, str, str]:
    """A fresh copy of the two-snapshot lake (with its sources and configs) to damage."""
    root, older, newer = two_snapshots
    shutil.copytree(root, tmp_path, dirs_exist_ok=True)
    return _hostcap(tmp_path), older, newer


def _damage(path: Path) -> None:
    """Overwrite bytes in the middle of the file, keeping its size (a checksum tells, a size does not)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(16)
    path.write_bytes(bytes(data))


def _cli(hostcap: Hostcap, *args: str) -> subprocess.CompletedProcess:
    """`hostcap ARGS` as a real process over the lake (outside this environment's HOSTCAP_* settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}
    command = [sys.executable, "-c", "from hostcap.cli import app; app()", *args]
    if args[0] in ("refresh",):
        command += ["--source", hostcap.settings.source_dir, "--config", str(hostcap.settings.config_dir)]
    command += ["--lake", hostcap.settings.lake_dir]
    return subprocess.run(command, capture_output=True, text=True, env={**env, "COLUMNS": "250"}, timeout=300)


def _served(server) -> tuple[dict, dict]:
    """/readyz and a data answer's meta."""
    ready = httpx.get(f"{server.url}/readyz", timeout=10)
    feeders = httpx.get(f"{server.url}/v1/feeders", params={"limit": 1}, timeout=10)
    assert ready.status_code == 200 and feeders.status_code == 200, (ready.text, feeders.text)
    return ready.json(), feeders.json()["meta"]


def test_serve_falls_back_to_the_newest_intact_snapshot_when_published_gold_is_damaged(lake_copy, serve):
    hostcap, older, newer = lake_copy
    _damage(Path(hostcap.settings.lake_dir) / "snapshots" / newer / "gold" / "feeders.parquet")
    with serve(hostcap.settings) as server:
        ready, meta = _served(server)
        status = httpx.get(f"{server.url}/v1/status", timeout=10).json()["data"]
    assert ready["snapshot"] == meta["snapshot"] == older
    assert f"snapshots/{newer}/gold/feeders.parquet is damaged" in ready["fallback"]
    assert status["fallback"] == ready["fallback"]
    assert f"WARNING hostcap.serving.store: serving snapshot {older}, not the published one" in server.output
    assert "Traceback" not in server.output


def test_refresh_rebuilds_damaged_gold_and_publishes(lake_copy):
    hostcap, older, newer = lake_copy
    _damage(Path(hostcap.settings.lake_dir) / "snapshots" / newer / "gold" / "ders.parquet")
    report = hostcap.refresh()
    assert report.status == "succeeded" and report.published, report
    assert report.snapshot not in (older, newer)
    assert any(f"snapshots/{newer}/gold/ders.parquet is damaged" in damage for damage in report.repaired)
    assert {s.status for s in report.sources} == {"skipped-unchanged"}  # the sources' silver was intact
    assert hostcap.lake.verify(report.snapshot)[1] == {}
    assert hostcap.lake.read_table("ders").num_rows == report.gold["ders"]
    assert hostcap.refresh().status == "unchanged"


def test_refresh_reloads_a_source_whose_silver_is_damaged(lake_copy):
    hostcap, older, newer = lake_copy
    _damage(Path(hostcap.settings.lake_dir) / "snapshots" / newer / "silver" / "national_grid" / "network.parquet")
    report = hostcap.refresh()
    assert report.status == "succeeded" and report.published, report
    statuses = {s.source: s.status for s in report.sources}
    assert statuses == {"national_grid/network": "succeeded", "national_grid/installed_der": "skipped-unchanged"}
    assert hostcap.lake.verify(report.snapshot)[1] == {}


def test_a_corrupt_pointer_is_one_line_everywhere_served_around_and_repaired(lake_copy, serve):
    hostcap, older, newer = lake_copy
    pointer = Path(hostcap.settings.lake_dir) / "CURRENT.json"
    pointer.write_text('{"snapshot": ')

    listed = _cli(hostcap, "snapshots")
    assert listed.returncode == 4, listed
    assert "Traceback" not in listed.stderr + listed.stdout
    assert listed.stderr.startswith("error: CURRENT.json is damaged (not valid JSON") and listed.stderr.count("\n") == 1
    assert older in listed.stdout and newer in listed.stdout and "damaged" not in listed.stdout

    with serve(hostcap.settings) as server:
        ready, meta = _served(server)
    assert ready["snapshot"] == meta["snapshot"] == newer  # the newest in the history, intact
    assert ready["fallback"].startswith("CURRENT.json is damaged")
    assert "Traceback" not in server.output

    refreshed = _cli(hostcap, "refresh")
    assert refreshed.returncode == 0, refreshed
    assert "Traceback" not in refreshed.stderr and "repaired: CURRENT.json is damaged" in refreshed.stderr
    assert "published: yes" in refreshed.stdout
    assert hostcap.lake.pointer_problem() is None and hostcap.lake.current() not in (older, newer)


def test_a_corrupt_history_is_one_line_and_repaired(lake_copy):
    hostcap, older, newer = lake_copy
    (Path(hostcap.settings.lake_dir) / "HISTORY.json").write_text("[{")
    listed = _cli(hostcap, "snapshots")
    assert listed.returncode == 4 and "Traceback" not in listed.stderr
    assert listed.stderr.startswith("error: HISTORY.json is damaged") and listed.stderr.count("\n") == 1
    report = hostcap.refresh()
    assert report.published and any("HISTORY.json is damaged" in damage for damage in report.repaired)
    assert hostcap.lake.snapshots() == [older, newer, report.snapshot]


def test_a_missing_pointer_serves_the_newest_intact_snapshot(lake_copy, serve):
    hostcap, older, newer = lake_copy
    (Path(hostcap.settings.lake_dir) / "CURRENT.json").unlink()
    _damage(Path(hostcap.settings.lake_dir) / "snapshots" / newer / "gold" / "substations.parquet")
    with serve(hostcap.settings) as server:
        ready, meta = _served(server)
    assert ready["snapshot"] == meta["snapshot"] == older
    assert ready["fallback"].startswith("CURRENT.json is missing; ")
    assert "substations.parquet is damaged" in ready["fallback"]


def test_snapshots_marks_a_damaged_snapshot(lake_copy):
    hostcap, older, newer = lake_copy
    _damage(Path(hostcap.settings.lake_dir) / "snapshots" / older / "gold" / "feeders.parquet")
    listed = _cli(hostcap, "snapshots")
    assert listed.returncode == 0, listed
    line = next(line for line in listed.stdout.splitlines() if older in line)
    assert "damaged" in line and "feeders.parquet" in listed.stdout
    assert "damaged" not in next(line for line in listed.stdout.splitlines() if newer in line)


def test_garbage_collection_keeps_the_snapshot_served_in_place_of_a_damaged_one(lake_copy):
    hostcap, older, newer = lake_copy
    lake_dir = Path(hostcap.settings.lake_dir)
    _damage(lake_dir / "snapshots" / newer / "gold" / "feeders.parquet")
    # a strict refresh that fails (a broken source file) publishes nothing, after collecting garbage
    data = next((Path(hostcap.settings.source_dir) / "national_grid" / "network").glob("*.csv"))
    data.write_text("Master_CDF,feeder_voltage\r\n36_01_00001,13.2\r\n")
    strict = Hostcap(hostcap.settings.model_copy(update={"keep_snapshots": 1, "strict": True}))
    report = strict.refresh()
    assert not report.published
    assert (lake_dir / "snapshots" / older).is_dir()
    assert strict.lake.verify(older)[1] == {}
    assert strict.lake.baseline().served == older


def test_a_reload_loop_warns_once_per_change_and_never_logs_a_traceback(lake_copy, wait_for, caplog):
    hostcap, older, newer = lake_copy
    store = SnapshotStore(hostcap.lake)
    store.sync()
    assert store.current.id == newer and store.fallback is None
    caplog.set_level(logging.INFO, logger="hostcap.serving.store")
    stop = store.watch(0.02)
    try:
        (Path(hostcap.settings.lake_dir) / "CURRENT.json").write_text("not json")
        wait_for(lambda: store.fallback is not None, "the store to notice the damaged pointer")
        checked = hostcap.lake.pointer_problem
        calls = []
        hostcap.lake.pointer_problem = lambda: calls.append(1) or checked()
        wait_for(lambda: len(calls) >= 5, "five more reloads")
    finally:
        stop.set()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert warnings[0].getMessage().startswith(f"serving snapshot {newer}, not the published one: CURRENT.json is damaged")
    assert store.current.id == newer


def _as_written_by_an_older_hostcap(lake: Path, snapshot: str, table: str, dropped: list[str]) -> None:
    """Rewrite a gold table of `snapshot` without some columns, re-sealed as a publish would have
    sealed it: a snapshot an older hostcap published, intact, but short of today's columns."""
    import json

    import pyarrow.parquet as pq

    path = lake / "snapshots" / snapshot / "gold" / f"{table}.parquet"
    pq.write_table(pq.read_table(path).drop_columns(dropped), path)
    seal = lake / "snapshots" / snapshot / "checksums.json"
    sealed = json.loads(seal.read_text())
    data = path.read_bytes()
    sealed["files"][f"snapshots/{snapshot}/gold/{table}.parquet"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    seal.write_text(json.dumps(sealed))


def test_a_snapshot_published_by_an_older_hostcap_is_named_and_served_around(lake_copy, serve):
    """A server over a lake an older hostcap published (gold without today's columns) starts,
    serves the newest snapshot it can read, and says which table lacks what and how to rebuild it."""
    hostcap, older, newer = lake_copy
    _as_written_by_an_older_hostcap(Path(hostcap.settings.lake_dir), newer, "feeders", ["point_lon", "point_lat"])
    with serve(hostcap.settings) as server:
        ready, meta = _served(server)
    assert ready["snapshot"] == meta["snapshot"] == older
    assert (
        f"snapshots/{newer}/gold/feeders.parquet was written by an older hostcap: it lacks point_lat, point_lon; "
        "`hostcap refresh` rebuilds it" in ready["fallback"]
    )
    assert "Traceback" not in server.output


def test_a_damaged_table_is_never_copied_into_a_new_snapshot(lake_copy):
    """Copying a published gold table whole (incremental gold) checks the copy against the seal
    of the snapshot it comes from: a damaged file fails the copy and leaves nothing behind."""
    hostcap, _older, newer = lake_copy
    lake = hostcap.lake
    copied = lake.copy_table(newer, "20990101T000000Z-000001", "gold", "feeder_segments")
    assert lake.storage.read_bytes(copied) == lake.storage.read_bytes(f"snapshots/{newer}/gold/feeder_segments.parquet")

    _damage(Path(lake.storage.full(f"snapshots/{newer}/gold/feeder_segments.parquet")))
    with pytest.raises(LakeDamaged, match="feeder_segments"):
        lake.copy_table(newer, "20990101T000000Z-000002", "gold", "feeder_segments")
    assert not lake.storage.exists("snapshots/20990101T000000Z-000002/gold/feeder_segments.parquet")
