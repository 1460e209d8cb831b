"""Watching an S3 prefix: the watcher polls its listing and starts one refresh per burst of
new objects, keyed by content (the same bytes uploaded again start nothing)."""

from __future__ import annotations

from pathlib import Path

from hostcap.orchestration import OrchestrationSettings, Orchestrator
from hostcap.report import RefreshReport
from tests.conftest import REAL, REAL_FILES
from tests.s3.conftest import MotoS3, s3_hostcap, sample_sources

SOURCES = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]


def watch_runs(hostcap) -> list[RefreshReport]:
    reports = (RefreshReport.model_validate(hostcap.lake.read_report(run_id)) for run_id in hostcap.lake.runs())
    return [report for report in reports if report.trigger == "watch"]


def test_new_objects_under_a_watched_s3_prefix_start_one_refresh(moto_s3: MotoS3, tmp_path: Path, real_dir, wait_for):
    bucket = moto_s3.bucket()
    source = moto_s3.upload(sample_sources(tmp_path, SOURCES), bucket, "src")
    hostcap = s3_hostcap(moto_s3, tmp_path, source, f"s3://{bucket}/lake", SOURCES)
    assert hostcap.refresh().status == "succeeded"
    settings = OrchestrationSettings(schedule="off", watch_mode="auto", watch_poll_s=0.1, watch_quiet_s=1.0)
    orchestrator = Orchestrator(hostcap, settings)
    assert orchestrator.status().watch.mode == "poll"  # an object store is polled

    def settled(checks: int) -> bool:
        status = orchestrator.status()
        return status.watch.checks >= checks and not status.watch.pending and not status.running

    orchestrator.start()
    try:
        wait_for(lambda: settled(1), "the start-up check")
        assert watch_runs(hostcap) == []

        # the utility replaces its files with the real ones: one burst, one refresh
        client = moto_s3.client()
        for old in moto_s3.objects(bucket, "src/"):
            client.delete_object(Bucket=bucket, Key=old)
        for source_id in SOURCES:
            client.put_object(
                Bucket=bucket, Key=f"src/{source_id}/{REAL_FILES[source_id]}", Body=(REAL / REAL_FILES[source_id]).read_bytes()
            )
        wait_for(lambda: len(watch_runs(hostcap)) == 1 and settled(2), "one refresh", timeout_s=120)
        (run,) = watch_runs(hostcap)
        assert run.status == "succeeded" and hostcap.lake.current() == run.run_id
        assert {f.path for s in run.sources for f in s.files} == {f"{i}/{REAL_FILES[i]}" for i in SOURCES}

        # the same bytes again (a new object version, a new modified time): checked, not refreshed
        key = f"src/national_grid/network/{REAL_FILES['national_grid/network']}"
        client.put_object(Bucket=bucket, Key=key, Body=(REAL / REAL_FILES["national_grid/network"]).read_bytes())
        wait_for(lambda: settled(3), "the check of the re-upload")
        assert len(watch_runs(hostcap)) == 1 and orchestrator.status().last.outcome == "unchanged"
    finally:
        orchestrator.stop()
