"""The feeder and DER history on the real files: refreshes with known edits between them, each
entry equal to what that publish served, surviving retention, rebuilt equal from the snapshots."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hostcap import seal
from hostcap.cli import app
from hostcap.errors import LakeDamaged
from hostcap.history import store, views
from hostcap.history.changes import FEEDERS
from hostcap.lake import Lake
from tests.conftest import REAL_FILES, make_hostcap

SOURCES = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]
FEEDER = "36_13_81757"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    assert text.count(old) == 1, old
    path.write_bytes(("\ufeff" if path.name.endswith("_der.csv") else "").encode() + text.replace(old, new).encode())


def _planned_only(real_dir: Path) -> list[str]:
    """Planned projects on the feeder that are not in the installed file (so planned in gold)."""
    with (real_dir / REAL_FILES["national_grid/installed_der"]).open(encoding="utf-8-sig") as handle:
        installed = {row["DER_ID"] for row in csv.DictReader(handle)}
    with (real_dir / REAL_FILES["national_grid/planned_der"]).open(encoding="utf-8-sig") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["DER_INTERCONNECTION_LOCATION"] == FEEDER and row["INTERCONNECTION_QUEUE_REQUEST_ID"] not in installed
        ]


@pytest.fixture(scope="module")
def refreshes(real_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Four refreshes of the real National Grid files with an edit before each later one, then a
    rollback to the first; what each publish served of the feeder and the DER records."""
    root = tmp_path_factory.mktemp("history")
    src = root / "src"
    for source_id in SOURCES:
        (src / source_id).mkdir(parents=True)
        shutil.copy(real_dir / REAL_FILES[source_id], src / source_id / REAL_FILES[source_id])
    hostcap = make_hostcap(root, src, SOURCES)
    planned = _planned_only(real_dir)
    moved, dropped = planned[0], planned[1]
    circuits = src / "national_grid/network" / REAL_FILES["national_grid/network"]
    installed = src / "national_grid/installed_der" / REAL_FILES["national_grid/installed_der"]
    planned_file = src / "national_grid/planned_der" / REAL_FILES["national_grid/planned_der"]
    edits = [
        lambda: None,
        # the utility's new study: more capacity, a later study date
        lambda: _edit(circuits, f"{FEEDER},13.2,1.1,0.1,0.01,2022/10/01", f"{FEEDER},13.2,2.5,0.1,0.01,2023/04/01"),
        # a queued project is built: it appears in the installed file
        lambda: installed.write_bytes(
            installed.read_bytes() + f"{moved['INTERCONNECTION_QUEUE_REQUEST_ID']},null,Solar,5000,{FEEDER},0\r\n".encode()
        ),
        # a queued project leaves the queue
        lambda: _edit(planned_file, ",".join(dropped.values()) + "\r\n", ""),
    ]
    published = []
    for edit in edits:
        edit()
        report = hostcap.refresh()
        assert report.published, report.error
        published.append(
            {
                "snapshot": report.snapshot,
                "feeder": next(r for r in hostcap.gold_table("feeders").to_pylist() if r["native_feeder_id"] == FEEDER),
                "ders": {r["native_der_id"]: r for r in hostcap.gold_table("ders").to_pylist() if r["feeder_id"] is not None},
            }
        )
    # the lake as the four refreshes left it, for the rebuild to be compared with
    shutil.copytree(root / "lake", root / "before-rollback")
    hostcap.rollback(published[0]["snapshot"])
    published.append({**published[0]})
    return hostcap, published, moved["INTERCONNECTION_QUEUE_REQUEST_ID"], dropped["INTERCONNECTION_QUEUE_REQUEST_ID"]


def test_feeder_history_is_what_each_publish_served(refreshes):
    hostcap, published, _, _ = refreshes
    feeder_id = published[0]["feeder"]["feeder_id"]
    history = views.feeder_history(store.read(hostcap.lake), feeder_id)
    assert [p["snapshot"] for p in history["points"]] == [p["snapshot"] for p in published]
    fields = [name for name in FEEDERS.fields.names if name not in ("utility", "native_feeder_id")]
    for point, served in zip(history["points"], published, strict=True):
        served_values = {name: served["feeder"][name] for name in fields}
        assert {name: point[name] for name in fields} == {
            name: v.isoformat() if isinstance(v, dt.date) else v for name, v in served_values.items()
        }
    # the known edits, as the series shows them (the last entry is the rollback to the first)
    assert [p["max_hc_mw"] for p in history["points"]] == [1.1, 2.5, 2.5, 2.5, 1.1]
    assert [p["hca_refresh_date"] for p in history["points"]] == ["2022-10-01"] + ["2023-04-01"] * 3 + ["2022-10-01"]
    installed = [p["installed_der_count"] for p in history["points"]]
    planned = [p["planned_der_count"] for p in history["points"]]
    assert installed[2] == installed[1] + 1 and planned[2] == planned[1] - 1 and planned[3] == planned[2] - 1
    assert history["native_feeder_id"] == FEEDER and history["utility"] == "national_grid"


def test_der_history_compresses_statuses_to_transitions(refreshes):
    hostcap, published, moved, dropped = refreshes
    recorded = store.read(hostcap.lake)
    snapshots = [p["snapshot"] for p in published]
    built = views.der_history(recorded, published[0]["ders"][moved]["der_id"])
    assert [(t["status"], t["snapshot"]) for t in built["statuses"]] == [
        ("planned", snapshots[0]),
        ("installed", snapshots[2]),
        ("planned", snapshots[4]),
    ]
    assert [c["nameplate_kw"] for c in built["changes"]] == [
        published[0]["ders"][moved]["nameplate_kw"],
        5000.0,
        published[0]["ders"][moved]["nameplate_kw"],
    ]
    left = views.der_history(recorded, published[0]["ders"][dropped]["der_id"])
    assert [(t["status"], t["snapshot"]) for t in left["statuses"]] == [
        ("planned", snapshots[0]),
        (None, snapshots[3]),
        ("planned", snapshots[4]),
    ]
    assert views.der_history(recorded, "0" * 32) is None


def test_history_command(refreshes):
    hostcap, published, _, _ = refreshes
    lake = hostcap.settings.lake_dir
    answer = CliRunner().invoke(app, ["history", FEEDER, "--lake", lake, "--json"], catch_exceptions=False)
    assert answer.exit_code == 0, answer.output
    found = json.loads(answer.stdout)
    assert found["feeder_id"] == published[0]["feeder"]["feeder_id"]
    assert [p["max_hc_mw"] for p in found["points"]] == [1.1, 2.5, 2.5, 2.5, 1.1]
    table = CliRunner().invoke(app, ["history", found["feeder_id"], "--lake", lake], catch_exceptions=False)
    assert table.exit_code == 0 and "feeder 36_13_81757" in table.stdout and "2023-04-01" in table.stdout
    assert published[3]["snapshot"] in table.stdout
    missing = CliRunner().invoke(app, ["history", "NO_SUCH_FEEDER", "--lake", lake])
    assert missing.exit_code == 4 and "no feeder NO_SUCH_FEEDER" in missing.output


def test_history_rebuilt_from_the_snapshots_equals_the_appended_one(refreshes):
    hostcap, published, _, _ = refreshes
    lake = Lake(str(Path(hostcap.lake.root).parent / "before-rollback"))
    appended = store.read(lake)
    assert [e.snapshot for e in appended.entries] == [p["snapshot"] for p in published[:4]]
    shutil.rmtree(Path(lake.root) / store.FOLDER)
    rebuilt = store.record(lake, months=36)
    assert rebuilt.entries == appended.entries
    assert rebuilt.tables == appended.tables
    assert store.read(lake).tables == appended.tables


def test_a_damaged_history_is_rebuilt_and_a_rollback_is_a_new_entry(refreshes):
    hostcap, published, _, _ = refreshes
    lake = hostcap.lake
    recorded = store.read(lake)
    assert [e.snapshot for e in recorded.entries] == [p["snapshot"] for p in published]
    damaged = Path(lake.root) / next(iter(json.loads((Path(lake.root) / store.INDEX).read_text())["files"].values()))["path"]
    damaged.write_bytes(damaged.read_bytes()[:-10])
    with pytest.raises(LakeDamaged, match="history/feeders-"):
        store.read(lake)
    # rebuilt from HISTORY.json, which keeps a snapshot once, where it was last published
    rebuilt = store.record(lake, months=36)
    assert [e.snapshot for e in rebuilt.entries] == [p["snapshot"] for p in published[1:]]
    assert store.read(lake).entries == rebuilt.entries


def test_history_outlives_retention_and_is_bounded_in_months(tmp_path: Path):
    head = "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length\r\n"
    src = tmp_path / "src"
    hostcap = make_hostcap(tmp_path, src, ["national_grid/network"])
    hostcap.settings.keep_snapshots = 1
    network = src / "national_grid/network/circuits.csv"
    network.parent.mkdir(parents=True)
    for max_hc in (1.5, 2.5, 3.5):
        network.write_text(
            head + f"36_13_1,13.2,{max_hc},0.1,0,2024/01/01 00:00:00+00,green,1\r\n36_13_2,13.2,4,1,0,,green,1\r\n"
        )
        assert hostcap.refresh().published
    assert len(hostcap.lake.snapshots()) == 1
    recorded = store.read(hostcap.lake)
    ids = {r["native_feeder_id"]: r["feeder_id"] for r in recorded.tables["feeders"].to_pylist()}
    feeder_id = ids["36_13_1"]
    assert [p["max_hc_mw"] for p in views.feeder_history(recorded, feeder_id)["points"]] == [1.5, 2.5, 3.5]
    # the three publishes a month apart (they ran within a second or two)
    months = ["2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"]
    recorded = dataclasses.replace(
        recorded, entries=[dataclasses.replace(e, published_at=at) for e, at in zip(recorded.entries, months, strict=True)]
    )
    # a month of history as of the third publish: the entries before the second go, what was true at it stays
    now = dt.datetime.fromisoformat(recorded.entries[2].published_at)
    bounded = store._bounded(recorded, 1, now)
    assert [e.entry for e in bounded.entries] == [1, 2]
    assert [p["max_hc_mw"] for p in views.feeder_history(bounded, feeder_id)["points"]] == [2.5, 3.5]
    other = views.feeder_history(bounded, ids["36_13_2"])
    assert [p["max_hc_mw"] for p in other["points"]] == [4.0, 4.0]
    # years later only the newest entry stays, whole
    later = store._bounded(recorded, 1, now + dt.timedelta(days=3650))
    assert [e.entry for e in later.entries] == [2] and len(later.tables["feeders"]) == 2


def test_a_publish_that_changes_no_tracked_value_keeps_the_history_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The history's work after a publish is proportional to what changed: a table none of whose
    tracked values changed keeps its file and checksum, neither encoded nor hashed again."""
    head = "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length\r\n"
    src = tmp_path / "src"
    hostcap = make_hostcap(tmp_path, src, ["national_grid/network"])
    network = src / "national_grid/network/circuits.csv"
    network.parent.mkdir(parents=True)
    network.write_text(head + "36_13_1,13.2,1.5,0.1,0,2024/01/01 00:00:00+00,green,1\r\n")
    assert hostcap.refresh().published
    index = (Path(hostcap.lake.root) / store.INDEX).read_text()
    encoded = []

    class Spy:
        """The seal module, counting the history tables encoded."""

        def __getattr__(self, name: str):
            return getattr(seal, name)

        def to_parquet(self, table):
            encoded.append(table.num_rows)
            return seal.to_parquet(table)

    monkeypatch.setattr(store, "sealing", Spy())
    network.write_text(head + "36_13_1,13.2,1.5,0.1,0,2024/01/01 00:00:00+00,red,1\r\n")  # a colour is not tracked
    assert hostcap.refresh().published
    recorded = store.read(hostcap.lake)
    assert len(recorded.entries) == 2 and encoded == []
    assert json.loads((Path(hostcap.lake.root) / store.INDEX).read_text())["files"] == json.loads(index)["files"]
    # a tracked value changed: only that table's history is written
    network.write_text(head + "36_13_1,13.2,2.5,0.1,0,2024/01/01 00:00:00+00,red,1\r\n")
    assert hostcap.refresh().published
    assert encoded == [2]  # the feeder's first row and its change
    assert [
        p["max_hc_mw"]
        for p in views.feeder_history(store.read(hostcap.lake), recorded.tables["feeders"]["feeder_id"][0].as_py())["points"]
    ] == [1.5, 1.5, 2.5]
