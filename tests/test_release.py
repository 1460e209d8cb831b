"""Release bundles: made at every publish, sealed with the snapshot, valid Frictionless data
packages whose Parquet, CSV and DuckDB tables are exactly the published gold."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.errors import LakeDamaged, LakeError
from hostcap.lake import GOLD_TABLES
from hostcap.release.stored import stored_bundle
from hostcap.seal import Checksum


def _bundle(run) -> tuple[zipfile.ZipFile, str]:
    found = stored_bundle(run.lake)
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


def test_bundle_is_sealed_with_its_snapshot(sample_run, tmp_path: Path) -> None:
    """The bundle is in the snapshot's seal, so a damaged one is refused rather than handed out."""
    lake = sample_run.lake
    snapshot = lake.require_current()
    assert lake.bundle_path(snapshot) in lake.checksums(snapshot)
    assert stored_bundle(lake).size == lake.checksums(snapshot)[lake.bundle_path(snapshot)].size
    with pytest.raises(LakeError, match="no release bundle"):
        stored_bundle(lake, "20000101T000000Z-000000")


def test_damaged_bundle_is_refused(two_source_copy, sample_run, tmp_path: Path) -> None:
    hostcap = two_source_copy(Path(sample_run.lake.root), tmp_path)
    snapshot = hostcap.lake.require_current()
    (Path(hostcap.lake.root) / hostcap.lake.bundle_path(snapshot)).write_bytes(b"not a zip")
    with pytest.raises(LakeDamaged, match="bundle.zip is damaged"):
        stored_bundle(hostcap.lake)


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
    assert Checksum.of(out.read_bytes()).sha256 == stored_bundle(sample_run.lake).sha256
    missing = CliRunner().invoke(app, ["bundle", "20000101T000000Z-000000", "--out", str(out), "--lake", sample_run.lake.root])
    assert missing.exit_code == 4 and "no release bundle" in missing.output
