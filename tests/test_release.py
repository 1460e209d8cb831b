"""Release bundles: made once per snapshot after its publish (right after it by a long-running
process, else when first asked for), checked when handed out and made again when damaged; valid
Frictionless data packages whose Parquet, CSV and DuckDB tables are exactly the published gold."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.core import Hostcap
from hostcap.errors import LakeDamaged, LakeError
from hostcap.lake import GOLD_TABLES
from hostcap.release import bundle as bundle_module
from hostcap.seal import Checksum


def _bundle(run) -> tuple[zipfile.ZipFile, str]:
    found = run.hostcap.bundle()
    data = b"".join(found.chunks())
    assert Checksum.of(data) == Checksum(found.sha256, found.size)
    return zipfile.ZipFile(io.BytesIO(data)), f"hostcap-{found.snapshot}/"


def _read_csv(data: bytes, schema: pa.Schema) -> pa.Table:
    """The bundle's CSV read with the gold's types: unquoted empty cells are null, quoted ones text."""
    options = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False)
    return pacsv.read_csv(io.BytesIO(data), convert_options=options)


def test_real_bundle_validates_with_frictionless_and_equals_gold(real_run, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="the bundle tests need the dev extra (frictionless)")
    bundle, root = _bundle(real_run)
    bundle.extractall(tmp_path)
    folder = tmp_path / root
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])[:10]

    descriptor = json.loads((folder / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == set(GOLD_TABLES)
    assert real_run.gold("feeders").num_rows > 1000 and real_run.gold("ders").num_rows > 40000
    assert resources["feeder_segments"]["schema"]["foreignKeys"] == [
        {"fields": ["feeder_id"], "reference": {"resource": "feeders", "fields": ["feeder_id"]}}
    ]
    fields = {f["name"]: f for f in resources["feeders"]["schema"]["fields"]}
    assert fields["max_hc_mw"]["unit"] == "MW" and fields["max_hc_mw"]["type"] == "number"
    assert fields["hca_refresh_date"]["type"] == "date"
    assert all(f.get("description") for r in resources.values() for f in r["schema"]["fields"])
    assert {s["title"].split(":")[0] for s in resources["ders"]["sources"]} == {"National Grid", "NYSEG and RG&E (Avangrid)"}
    assert resources["ders"]["licenses"] and descriptor["licenses"]
    assert "# Changes in snapshot" in (folder / "CHANGES.md").read_text()

    with duckdb.connect(str(folder / "hostcap.duckdb"), read_only=True) as db:
        for name in GOLD_TABLES:
            gold = real_run.gold(name)
            assert pq.read_table(folder / resources[name]["hostcap:parquet"]).equals(gold), name
            assert _read_csv((folder / resources[name]["path"]).read_bytes(), gold.schema).equals(gold), name
            assert db.sql(f'SELECT * FROM "{name}"').to_arrow_table().cast(gold.schema).equals(gold), name


def test_a_bundle_is_made_once_when_first_asked_for(two_source_copy, sample_run, tmp_path: Path, monkeypatch) -> None:
    """A refresh does not make the bundle (it would cost the refresh as much again); the first
    request makes and keeps it, later ones hand out the same file."""
    hostcap = two_source_copy(Path(sample_run.lake.root), tmp_path)
    report = hostcap.refresh()
    assert report.published and hostcap.lake.bundle(report.snapshot) is None
    made = hostcap.bundle()
    assert made.snapshot == report.snapshot and hostcap.lake.bundle(report.snapshot) == made.checksum

    def not_again(*args, **kwargs):
        raise AssertionError("the bundle was made again")

    monkeypatch.setattr(bundle_module, "build", not_again)
    assert hostcap.bundle().checksum == made.checksum
    with pytest.raises(LakeError, match="not kept"):
        hostcap.bundle("20000101T000000Z-000000")


def test_a_long_running_process_makes_it_right_after_the_publish(two_source_copy, sample_run, tmp_path: Path) -> None:
    copy = two_source_copy(Path(sample_run.lake.root), tmp_path)
    hostcap = Hostcap(copy.settings, bundles_after_publish=True)
    report = hostcap.refresh()
    assert report.published
    deadline = time.monotonic() + 120
    while hostcap.lake.bundle(report.snapshot) is None:
        assert time.monotonic() < deadline, "no bundle was made after the publish"
        time.sleep(0.1)


def test_a_damaged_bundle_is_made_again(two_source_copy, sample_run, tmp_path: Path) -> None:
    hostcap = two_source_copy(Path(sample_run.lake.root), tmp_path)
    snapshot = hostcap.lake.require_current()
    first = hostcap.bundle()
    (Path(hostcap.lake.root) / hostcap.lake.bundle_path(snapshot, first.checksum)).write_bytes(b"not a zip")
    with pytest.raises(LakeDamaged, match="is damaged"):
        hostcap.lake.bundle(snapshot)
    again = hostcap.bundle()
    data = b"".join(again.chunks())
    assert Checksum.of(data) == again.checksum and zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_second_publish_summarizes_its_changes(two_source_copy, sample_run, tmp_path: Path) -> None:
    """A refresh of a copy that loads fewer sources publishes a bundle whose CHANGES.md lists what left."""
    hostcap = two_source_copy(Path(sample_run.lake.root), tmp_path)
    previous = hostcap.lake.require_current()
    report = hostcap.refresh()
    assert report.published
    bundle, root = _bundle(type(sample_run)(report, hostcap.lake, hostcap))
    changes = bundle.read(root + "CHANGES.md").decode()
    diff = hostcap.diff(previous)
    assert f"Since the previous publish, snapshot {previous}." in changes
    assert f"| Feeders removed | {len(diff.feeders_removed):,} |" in changes and diff.feeders_removed


def test_cli_writes_the_bundle(sample_run, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    result = CliRunner().invoke(app, ["bundle", "--out", str(out), "--lake", sample_run.lake.root])
    assert result.exit_code == 0, result.output
    assert Checksum.of(out.read_bytes()).sha256 == sample_run.hostcap.bundle().sha256
    missing = CliRunner().invoke(app, ["bundle", "20000101T000000Z-000000", "--out", str(out), "--lake", sample_run.lake.root])
    assert missing.exit_code == 4 and "not kept" in missing.output
