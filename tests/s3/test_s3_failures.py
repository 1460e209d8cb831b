"""When S3 fails (a wrong bucket, access denied, the store going away mid-refresh) the refresh
says where, publishes nothing, and the published snapshot stays; credentials never show."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from moto.core.authorization import enable_iam_authentication
from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.core import Hostcap
from hostcap.lock import running_run
from tests.s3.conftest import MotoS3, s3_hostcap, sample_sources

SOURCES = ["national_grid/network", "national_grid/installed_der"]


@pytest.fixture
def published(moto_s3: MotoS3, tmp_path: Path) -> tuple[Hostcap, str]:
    """A lake on S3 with one published snapshot, and its sources' bucket."""
    bucket = moto_s3.bucket()
    source = moto_s3.upload(sample_sources(tmp_path, SOURCES), bucket, "src")
    hostcap = s3_hostcap(moto_s3, tmp_path, source, f"s3://{bucket}/lake", SOURCES)
    assert hostcap.refresh().published
    return hostcap, bucket


def with_settings(hostcap: Hostcap, **changes) -> Hostcap:
    return Hostcap(hostcap.settings.model_copy(update=changes))


def test_a_wrong_source_bucket_fails_the_run_naming_it(published: tuple[Hostcap, str]):
    hostcap, _ = published
    before = hostcap.lake.current()
    report = with_settings(hostcap, source_dir="s3://no-such-bucket/src").refresh()
    assert report.status == "failed" and not report.published
    assert report.error == "sources: the bucket 'no-such-bucket' of s3://no-such-bucket/src does not exist"
    assert hostcap.lake.current() == before and hostcap.lake.read_report(report.run_id)["status"] == "failed"


def test_a_wrong_lake_bucket_fails_the_run_naming_the_lake(published: tuple[Hostcap, str]):
    hostcap, _ = published
    report = with_settings(hostcap, lake_dir="s3://no-such-lake/lake").refresh()
    assert report.status == "failed" and not report.published
    assert report.error.startswith("lake: cannot take the refresh lock s3://no-such-lake/lake/refresh.lock")
    assert "NoSuchBucket" in report.error


def test_the_cli_names_the_missing_bucket_with_the_storage_exit_code(
    moto_s3: MotoS3, published: tuple[Hostcap, str], monkeypatch: pytest.MonkeyPatch
):
    hostcap, _ = published
    monkeypatch.setenv("HOSTCAP_ENDPOINT_URL", moto_s3.endpoint)
    listed = CliRunner().invoke(app, ["snapshots", "--lake", "s3://no-such-lake/lake"])
    assert listed.exit_code == 7
    assert "error: the bucket 'no-such-lake' of s3://no-such-lake/lake does not exist" in listed.output
    config = str(hostcap.settings.config_dir)
    validated = CliRunner().invoke(app, ["validate", "--source", "s3://no-such-src/x", "--config", config])
    assert validated.exit_code == 7 and "the bucket 'no-such-src' of s3://no-such-src/x does not exist" in validated.output
    refreshed = CliRunner().invoke(
        app, ["refresh", "--source", "s3://no-such-src/x", "--lake", hostcap.settings.lake_dir, "--config", config]
    )
    assert refreshed.exit_code == 5 and "published: no" in refreshed.output
    assert "sources: the bucket 'no-such-src' of s3://no-such-src/x does not exist" in refreshed.output


def test_access_denied_names_the_source_and_layer_and_never_a_credential(
    moto_s3: MotoS3, published: tuple[Hostcap, str], caplog: pytest.LogCaptureFixture
):
    """An identity (its keys in Secrets Manager) that may do anything in the bucket except
    write silver: the first source fails at its silver layer and the run publishes nothing."""
    hostcap, bucket = published
    iam = moto_s3.client("iam")
    iam.create_user(UserName="no-silver")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/lake/snapshots/*/silver/*"},
        ],
    }
    iam.put_user_policy(UserName="no-silver", PolicyName="no-silver", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="no-silver")["AccessKey"]
    secret = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    moto_s3.client("secretsmanager").create_secret(Name="hostcap/no-silver", SecretString=json.dumps(secret))
    before = hostcap.lake.current()
    (installed,) = hostcap.sources().list_files("national_grid/installed_der")
    changed = hostcap.sources().read_bytes(installed.path) + b"999999,null,Solar,5000,36_01_99999,0\r\n"
    moto_s3.client().put_object(Bucket=bucket, Key=f"src/{installed.path}", Body=changed)

    denied = with_settings(hostcap, secrets_manager_secret_id="hostcap/no-silver")
    assert denied.s3.keys.secret_access_key == key["SecretAccessKey"]
    caplog.set_level(logging.DEBUG, logger="hostcap")
    with enable_iam_authentication():
        report = denied.refresh()
        assert running_run(denied.lake) is None  # the lease was released
    assert report.status == "failed" and not report.published
    assert report.error.startswith(
        "source national_grid/installed_der: silver layer: cannot write "
        f"s3://{bucket}/lake/snapshots/{report.run_id}/silver/national_grid/installed_der.parquet: "
    )
    assert "ACCESS_DENIED" in report.error
    (failed,) = [s for s in report.sources if s.status == "failed"]
    assert failed.source == "national_grid/installed_der" and failed.layers["silver"].status == "failed"
    assert hostcap.lake.current() == before
    saved = json.dumps(hostcap.lake.read_report(report.run_id))
    for shown in (report.model_dump_json(), saved, caplog.text, repr(denied), repr(denied.s3)):
        assert key["SecretAccessKey"] not in shown and key["AccessKeyId"] not in shown


def test_the_store_going_away_mid_refresh_publishes_nothing_and_the_next_refresh_succeeds(own_moto_s3: MotoS3, tmp_path: Path):
    moto = own_moto_s3
    local = sample_sources(tmp_path, SOURCES)
    bucket = moto.bucket()
    source = moto.upload(local, bucket, "src")
    # one source at a time, so the outage comes after the first source's layers are written
    hostcap = s3_hostcap(moto, tmp_path, source, f"s3://{bucket}/lake", SOURCES, lock_lease_s=3, workers=1)
    published = hostcap.refresh().run_id
    for path in local.rglob("*.csv"):
        path.write_bytes(path.read_bytes() + b"\r\n")  # every source changed: each is read again
    moto.upload(local, bucket, "src")

    steps: list[str] = []

    def stop_at_second_source(step: str) -> None:
        steps.append(step)
        if len(steps) == 2:
            moto.stop()

    doomed = hostcap.refresh(progress=stop_at_second_source, run_id="doomed")
    assert doomed.status == "failed" and not doomed.published
    assert doomed.error.startswith(f"source {steps[1]}: bronze layer: cannot read {source}/{steps[1]}/")
    assert "the report could not be saved" in doomed.error

    moto.start()
    assert hostcap.lake.current() == published
    assert any(key.startswith("lake/snapshots/doomed/") for key in moto.objects(bucket))  # debris of the run
    deadline = time.monotonic() + 10
    while running_run(hostcap.lake) is not None:  # the lease it could not release runs out
        assert time.monotonic() < deadline, "the lease of the interrupted run never expired"
        time.sleep(0.2)
    report = hostcap.refresh()
    assert report.status == "succeeded" and report.published and hostcap.lake.current() == report.run_id
    assert not any(key.startswith("lake/snapshots/doomed/") for key in moto.objects(bucket))
    assert hostcap.lake.read_report("doomed")["status"] == "interrupted"
