"""Refresh that never loses data: incremental, isolated per source, atomic, crash-safe, with history."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap import plan_cache
from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.errors import RefreshBusy
from hostcap.lock import running_run
from tests.conftest import REAL_FILES, copy_configs

#: enough sources for every behaviour here (feeder and segment grain, CSV and workbook), few
#: enough to keep each refresh short
SOURCES = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der", "coned/network", "coned/der"]


def hostcap_for(tmp_path: Path, source: Path, **settings) -> Hostcap:
    configs = tmp_path / "cfg"
    if not configs.exists():
        copy_configs(configs, SOURCES)
    return Hostcap(Settings(source_dir=str(source), lake_dir=str(tmp_path / "lake"), config_dir=configs, **settings))


def the_file(source: Path, source_id: str) -> Path:
    (path,) = (source / source_id).iterdir()
    return path


def gold_tables(hostcap: Hostcap, snapshot: str) -> dict[str, pa.Table]:
    return {
        name: hostcap.lake.read_table(name, snapshot=snapshot) for name in ("feeders", "ders", "feeder_segments", "substations")
    }


def test_no_change_publishes_nothing_and_one_change_reloads_only_its_source(tmp_path: Path, sample_copy: Path):
    hostcap = hostcap_for(tmp_path, sample_copy)
    first = hostcap.refresh()
    assert first.status == "succeeded" and first.published

    again = hostcap.refresh()
    assert again.status == "unchanged" and not again.published and again.snapshot == first.run_id
    assert {s.status for s in again.sources} == {"skipped-unchanged"}
    assert hostcap.lake.current() == first.run_id and hostcap.lake.snapshots() == [first.run_id]
    assert not (tmp_path / "lake" / "snapshots" / again.run_id).exists()

    # the same bytes delivered again under the same name change nothing: decided by content
    path = the_file(sample_copy, "national_grid/installed_der")
    path.write_bytes(path.read_bytes())
    assert hostcap.refresh().status == "unchanged"

    path.write_bytes(path.read_bytes() + b"999999,null,Solar,5000,36_01_99999,0\r\n")
    changed = hostcap.refresh()
    assert changed.status == "succeeded" and changed.published
    statuses = {s.source: s.status for s in changed.sources}
    assert statuses.pop("national_grid/installed_der") == "succeeded"
    assert set(statuses.values()) == {"skipped-unchanged"}
    manifest = hostcap.lake.read_manifest(changed.run_id)
    assert manifest["national_grid/installed_der"]["snapshot"] == changed.run_id
    assert manifest["coned/network"]["snapshot"] == first.run_id  # reused, not copied
    ders = hostcap.lake.read_table("ders").to_pylist()
    assert any(d["native_der_id"] == "999999" for d in ders)
    assert hostcap.lake.read_table("coned/network", layer="silver").num_rows > 0


def test_changed_code_reloads_every_source(tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Silver and gold kept from an earlier run were made by the code of that run: code that
    changed (by a byte, version number or not) must not be served rows it did not make."""
    hostcap = hostcap_for(tmp_path, sample_copy)
    assert hostcap.refresh().published
    monkeypatch.setattr(plan_cache, "code_version", lambda: "other code")
    again = hostcap.refresh()
    assert again.published and {s.status for s in again.sources} == {"succeeded"}
    assert {entry["snapshot"] for entry in hostcap.lake.read_manifest(again.run_id).values()} == {again.run_id}


@pytest.mark.spark
def test_a_refresh_on_the_other_engine_reloads_every_source(tmp_path: Path, sample_copy: Path):
    """Each engine hashes a row its own way (silver's `_row_hash`), and gold compares the hashes
    of a repeated ID's rows: silver one engine made is never reused by the other."""
    assert hostcap_for(tmp_path, sample_copy).refresh().published
    other = hostcap_for(tmp_path, sample_copy, engine="spark").refresh()
    assert other.published and {s.status for s in other.sources} == {"succeeded"}
    assert other.engine == "spark"
    assert hostcap_for(tmp_path, sample_copy, engine="spark").refresh().status == "unchanged"


def test_a_corrupt_file_fails_only_its_source_and_its_last_good_silver_is_used(tmp_path: Path, sample_copy: Path):
    hostcap = hostcap_for(tmp_path, sample_copy)
    first = hostcap.refresh()
    before = hostcap.lake.read_table("feeders").filter(pa.compute.equal(pa.compute.field("utility"), "national_grid"))
    network = the_file(sample_copy, "national_grid/network")
    good = network.read_bytes()
    network.write_bytes(b"Master_CDF,feeder_voltage\r\n36_01_1,13.2\r\n")
    added = the_file(sample_copy, "nyseg_rge/planned_der")
    added.write_bytes(added.read_bytes().replace(b"\r\n", b"\r\n", 1))  # unchanged content

    report = hostcap.refresh()
    assert report.status == "partial" and report.published
    (stale,) = report.failed_sources
    assert stale.source == "national_grid/network" and stale.status == "stale"
    assert f"file national_grid/network/{network.name}" in stale.error and "feeder_max_hc" in stale.error
    after = hostcap.lake.read_table("feeders").filter(pa.compute.equal(pa.compute.field("utility"), "national_grid"))
    assert after.column("feeder_id").to_pylist() == before.column("feeder_id").to_pylist()
    assert hostcap.lake.read_manifest(report.run_id)["national_grid/network"]["snapshot"] == first.run_id

    strict = hostcap_for(tmp_path, sample_copy, strict=True).refresh()
    assert strict.status == "failed" and not strict.published and hostcap.lake.current() == report.run_id

    network.write_bytes(good + b"36_99_00001,13.2,3,1,0,,green,1\r\n")
    healed = hostcap.refresh()
    assert healed.status == "succeeded"
    assert {s.source: s.status for s in healed.sources}["national_grid/network"] == "succeeded"


def test_a_source_that_never_loaded_is_left_out_visibly(tmp_path: Path, sample_copy: Path):
    shutil.rmtree(sample_copy / "coned" / "der")
    report = hostcap_for(tmp_path, sample_copy).refresh()
    assert report.status == "partial" and report.published
    (failed,) = report.failed_sources
    assert (failed.source, failed.status) == ("coned/der", "failed")
    assert "no files matching '*.xlsx' in coned/der" in failed.error


def assert_one_refresh_at_a_time(hostcap: Hostcap) -> None:
    """A refresh started while another runs is turned away, told which run runs; the lock is
    free once the first ends (on any lake: local or S3)."""
    results: dict[str, object] = {}
    worker = threading.Thread(target=lambda: results.update(first=hostcap.refresh(run_id="first-run")))
    worker.start()
    deadline = time.monotonic() + 30
    while running_run(hostcap.lake) != "first-run":
        assert time.monotonic() < deadline, "the first refresh never took the lock"
        time.sleep(0.005)
    with pytest.raises(RefreshBusy) as busy:
        hostcap.refresh()
    assert busy.value.running_run_id == "first-run"
    worker.join()
    assert results["first"].status == "succeeded"
    assert running_run(hostcap.lake) is None


def test_two_refreshes_at_once_one_runs_and_the_other_is_told_which(tmp_path: Path, sample_copy: Path):
    assert_one_refresh_at_a_time(hostcap_for(tmp_path, sample_copy))


def test_retention_rollback_and_diff(tmp_path: Path, sample_copy: Path):
    hostcap = hostcap_for(tmp_path, sample_copy, keep_snapshots=2)
    installed = the_file(sample_copy, "national_grid/installed_der")
    runs = []
    for i in range(3):
        installed.write_bytes(installed.read_bytes() + f"88888{i},null,Solar,10,36_01_99999,0\r\n".encode())
        runs.append(hostcap.refresh().run_id)
    assert hostcap.lake.snapshots() == runs[1:]
    kept = {p.name for p in (tmp_path / "lake" / "snapshots").iterdir()}
    assert runs[2] in kept and runs[1] in kept
    assert runs[0] in kept  # still referenced: later snapshots reuse silver it wrote
    assert hostcap.diff(runs[1]).change_counts() == {
        "feeders_added": 0,
        "feeders_removed": 0,
        "max_hc_changes": 0,
        "ders_now_installed": 0,
        "ders_new": 1,
        "ders_withdrawn": 0,
        "ders_removed": 0,
    }
    hostcap.rollback(runs[1])
    assert hostcap.lake.current() == runs[1]
    assert "888882" not in hostcap.lake.read_table("ders").column("native_der_id").to_pylist()


def test_schema_drift_is_visible_not_fatal(tmp_path: Path, sample_copy: Path):
    network = the_file(sample_copy, "coned/network")
    lines = network.read_text().splitlines()
    header = lines[0].replace("HC_REFESH_DATE", "HC_REFRESH_DATE")  # a renamed column known as an alias
    network.write_text("\n".join([header + ",NEW_COLUMN"] + [line + ",x" for line in lines[1:]]) + "\n")
    hostcap = hostcap_for(tmp_path, sample_copy)
    report = hostcap.refresh()
    source = next(s for s in report.sources if s.source == "coned/network")
    assert source.status == "succeeded" and "NEW_COLUMN" in source.unmapped_columns
    assert "NEW_COLUMN" in hostcap.lake.read_table("coned/network", layer="bronze").column_names
    feeders = [f for f in hostcap.lake.read_table("feeders").to_pylist() if f["utility"] == "coned"]
    assert feeders and all(f["hca_refresh_date"] is not None for f in feeders)


KILL_POINTS = {
    "lock taken": lambda lake, run: (lake / "runs" / f"{run}.json").exists(),
    "bronze written": lambda lake, run: any((lake / "snapshots" / run / "bronze").rglob("*.parquet")),
    "silver written": lambda lake, run: len(list((lake / "snapshots" / run / "silver").rglob("*.parquet"))) >= 2,
    "gold written": lambda lake, run: (lake / "snapshots" / run / "gold" / "feeders.parquet").exists(),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_mid_refresh_leaves_the_published_snapshot_intact(tmp_path: Path, sample_copy: Path, point: str):
    lake = tmp_path / "lake"
    hostcap = hostcap_for(tmp_path, sample_copy)
    published = hostcap.refresh().run_id
    before = gold_tables(hostcap, published)
    for source_id in ("national_grid/installed_der", "national_grid/network", "coned/network"):
        path = the_file(sample_copy, source_id)
        path.write_bytes(path.read_bytes() + b"\n")  # changed bytes: every changed source reloads

    script = (
        "import sys; from hostcap.config import Settings; from hostcap.core import Hostcap; "
        f"Hostcap(Settings(source_dir={str(sample_copy)!r}, lake_dir={str(lake)!r}, config_dir={str(tmp_path / 'cfg')!r}))"
        ".refresh(run_id='doomed')"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not KILL_POINTS[point](lake, "doomed"):
        assert process.poll() is None, "the refresh ended before the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert hostcap.lake.current() == published
    after = gold_tables(hostcap, published)
    assert all(after[name].equals(before[name]) for name in before)

    report = hostcap.refresh()
    assert report.status == "succeeded" and report.published
    assert not (lake / "snapshots" / "doomed").exists()  # debris cleaned
    assert hostcap.lake.read_report("doomed")["status"] == "interrupted"


def test_diff_of_two_real_refreshes_reports_exactly_the_known_change(real_dir: Path, tmp_path: Path):
    source = tmp_path / "src"
    for source_id in ("national_grid/network", "national_grid/installed_der", "national_grid/planned_der"):
        (source / source_id).mkdir(parents=True)
        shutil.copy(real_dir / REAL_FILES[source_id], source / source_id / REAL_FILES[source_id])
    configs = copy_configs(
        tmp_path / "cfg", ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]
    )
    hostcap = Hostcap(Settings(source_dir=str(source), lake_dir=str(tmp_path / "lake"), config_dir=configs))
    old = hostcap.refresh().run_id

    network = source / "national_grid/network" / REAL_FILES["national_grid/network"]
    network.write_bytes(network.read_bytes().replace(b"36_13_81757,13.2,1.1,", b"36_13_81757,13.2,2.5,"))
    installed = source / "national_grid/installed_der" / REAL_FILES["national_grid/installed_der"]
    # 293870 is a planned-only project in the real queue file; 77777777 is a brand-new project
    installed.write_bytes(installed.read_bytes() + b"293870,null,Solar,5000,null,0\r\n77777777,null,Solar,7.5,36_13_81757,0\r\n")
    new = hostcap.refresh()
    assert [s.status for s in new.sources] == ["succeeded", "succeeded", "skipped-unchanged"]

    changes = hostcap.diff(old)
    assert changes.change_counts() == {
        "feeders_added": 0,
        "feeders_removed": 0,
        "max_hc_changes": 1,
        "ders_now_installed": 1,
        "ders_new": 1,
        "ders_withdrawn": 0,
        "ders_removed": 0,
    }
    (hc,) = changes.max_hc_changes
    assert (hc.native_feeder_id, hc.old_max_hc_mw, hc.new_max_hc_mw) == ("36_13_81757", 1.1, 2.5)
    assert changes.ders_now_installed[0].native_der_id == "293870"
    assert changes.ders_new[0].native_der_id == "77777777"
    assert json.loads(changes.model_dump_json())["new"] == new.run_id
