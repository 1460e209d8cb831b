"""Sources and lake on S3: a full refresh gives the same gold as on local files, a no-change
refresh rewrites nothing, one refresh at a time, and retention deletes from the bucket."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hostcap.core import Hostcap
from hostcap.lake import GOLD_TABLES
from hostcap.lock import running_run
from tests.conftest import REAL_FILES, Run
from tests.s3.conftest import MotoS3, s3_hostcap, sample_sources
from tests.test_engines import comparable
from tests.test_refresh import SOURCES, assert_one_refresh_at_a_time, hostcap_for


def test_full_refresh_from_s3_equals_a_local_one_and_no_change_rewrites_nothing(moto_s3: MotoS3, tmp_path: Path):
    local = sample_sources(tmp_path, SOURCES)
    source = moto_s3.upload(local, moto_s3.bucket("sources"), "drops")
    lake_bucket = moto_s3.bucket("lake")
    hostcap = s3_hostcap(moto_s3, tmp_path, source, f"s3://{lake_bucket}/lake", SOURCES)
    assert hostcap.validate() == {source_id: [] for source_id in sorted(SOURCES)}

    first = hostcap.refresh()
    assert first.status == "succeeded" and first.published, first.error
    local_hostcap = hostcap_for(tmp_path / "on-disk", local)
    assert local_hostcap.refresh().published
    for table in GOLD_TABLES:
        on_s3 = comparable(Run(first, hostcap.lake, hostcap), table)
        assert on_s3.num_rows > 0 and on_s3.equals(comparable(Run(first, local_hostcap.lake, local_hostcap), table)), table
    assert {s.source: s.files[0].path for s in first.sources}["coned/der"].endswith(".xlsx")

    before = moto_s3.objects(lake_bucket)
    assert "lake/CURRENT.json" in before and f"lake/snapshots/{first.run_id}/gold/feeders.parquet" in before
    again = hostcap.refresh()
    assert again.status == "unchanged" and not again.published and again.snapshot == first.run_id
    after = moto_s3.objects(lake_bucket)
    assert set(after) - set(before) == {f"lake/runs/{again.run_id}.json"}
    assert {key: after[key] for key in before} == before  # not one object rewritten
    assert hostcap.lake.current() == first.run_id and running_run(hostcap.lake) is None


def _real_files_on_s3(moto_s3: MotoS3, tmp_path: Path, real_dir: Path, bucket_name: str) -> tuple[Hostcap, str]:
    """The real files uploaded under `in/` of a new bucket, and a hostcap with its lake under `lake/` there."""
    bucket = moto_s3.bucket(bucket_name)
    client = moto_s3.client()
    for source_id, name in REAL_FILES.items():
        client.upload_file(str(real_dir / name), bucket, f"in/{source_id}/{name}")
    return s3_hostcap(moto_s3, tmp_path, f"s3://{bucket}/in", f"s3://{bucket}/lake", list(REAL_FILES)), bucket


def test_the_real_files_on_s3_give_the_gold_they_give_locally(
    moto_s3: MotoS3, tmp_path: Path, real_dir: Path, refreshed: Callable[[str, str], Run]
):
    hostcap, _ = _real_files_on_s3(moto_s3, tmp_path, real_dir, "real")
    report = hostcap.refresh()
    assert report.status == "succeeded", report.error
    local = refreshed("real", "duckdb")
    assert report.gold == local.report.gold
    s3_run = Run(report, hostcap.lake, hostcap)
    for table in GOLD_TABLES:
        assert comparable(s3_run, table).equals(comparable(local, table)), table


def test_a_der_change_on_s3_copies_the_segments_within_the_bucket(moto_s3: MotoS3, tmp_path: Path, real_dir: Path):
    """Only a DER file changed: the published segments are copied to the new snapshot by the
    store (CopyObject), the same bytes, sealed there."""
    hostcap, bucket = _real_files_on_s3(moto_s3, tmp_path, real_dir, "der-change")
    first = hostcap.refresh()
    assert first.published, first.error
    name = REAL_FILES["nyseg_rge/planned_der"]
    lines = (real_dir / name).read_bytes().splitlines(keepends=True)
    moto_s3.client().put_object(Bucket=bucket, Key=f"in/nyseg_rge/planned_der/{name}", Body=b"".join(lines[:-5]))

    second = hostcap.refresh()
    assert second.status == "succeeded" and second.published, second.error
    segments = [f"snapshots/{run.run_id}/gold/feeder_segments.parquet" for run in (first, second)]
    assert hostcap.lake.storage.read_bytes(segments[0]) == hostcap.lake.storage.read_bytes(segments[1])
    assert hostcap.lake.checksums(second.run_id)[segments[1]] == hostcap.lake.checksums(first.run_id)[segments[0]]
    assert hostcap.lake.read_table("feeder_segments").num_rows == second.gold["feeder_segments"]


def test_two_refreshes_of_one_s3_lake_the_second_is_told_which_runs(moto_s3: MotoS3, tmp_path: Path):
    sources = ["national_grid/network", "national_grid/installed_der"]
    bucket = moto_s3.bucket()
    source = moto_s3.upload(sample_sources(tmp_path, sources), bucket, "src")
    hostcap = s3_hostcap(moto_s3, tmp_path, source, f"s3://{bucket}/lake", sources)
    assert_one_refresh_at_a_time(hostcap)
    assert "lake/refresh.lock" not in moto_s3.objects(bucket)


def test_retention_and_rollback_on_s3(moto_s3: MotoS3, tmp_path: Path):
    sources = ["national_grid/network", "national_grid/installed_der"]
    local = sample_sources(tmp_path, sources)
    bucket = moto_s3.bucket()
    hostcap = s3_hostcap(moto_s3, tmp_path, f"s3://{bucket}/src", f"s3://{bucket}/lake", sources, keep_snapshots=2)
    (installed,) = (local / "national_grid/installed_der").iterdir()
    runs = []
    for i in range(3):
        installed.write_bytes(installed.read_bytes() + f"88888{i},null,Solar,10,36_01_99999,0\r\n".encode())
        moto_s3.upload(local, bucket, "src")
        runs.append(hostcap.refresh().run_id)
    assert hostcap.lake.snapshots() == runs[1:]
    kept = {key.split("/")[2] for key in moto_s3.objects(bucket, "lake/snapshots/")}
    assert kept == set(runs)  # the first stays only because later snapshots reuse its network silver
    hostcap.rollback(runs[1])
    assert hostcap.lake.current() == runs[1]
    assert "888882" not in hostcap.lake.read_table("ders").column("native_der_id").to_pylist()
    installed.write_bytes(installed.read_bytes() + b"777777,null,Solar,10,36_01_99999,0\r\n")
    moto_s3.upload(local, bucket, "src")
    latest = hostcap.refresh().run_id
    assert hostcap.lake.snapshots() == [runs[1], latest]
    assert runs[2] not in {key.split("/")[2] for key in moto_s3.objects(bucket, "lake/snapshots/")}
