"""One endpoint for every S3 call: hostcap's setting, else the AWS SDKs' standard variables,
given to pyarrow (the data) and boto3 (the lock) alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.lock import LOCK_FILE
from tests.conftest import copy_configs
from tests.s3.conftest import MotoS3, sample_sources

SOURCES = ["national_grid/network", "national_grid/installed_der"]
#: nothing listens there: a call that went to it would fail at once, and stay on this machine
NOWHERE = "http://127.0.0.1:9"


def endpoints(hostcap: Hostcap) -> tuple[str, str]:
    """Where the lake's pyarrow filesystem and its boto3 client send their requests."""
    storage = hostcap.lake.storage
    options = storage.files.fs.__reduce__()[1][0]
    return f"{options['scheme']}://{options['endpoint_override']}", storage.s3.client().meta.endpoint_url


def hostcap_without_endpoint_setting(moto: MotoS3, tmp_path: Path) -> tuple[Hostcap, str]:
    bucket = moto.bucket()
    source = moto.upload(sample_sources(tmp_path, SOURCES), bucket, "src")
    settings = Settings(source_dir=source, lake_dir=f"s3://{bucket}/lake", config_dir=copy_configs(tmp_path / "cfg", SOURCES))
    assert settings.endpoint_url is None
    return Hostcap(settings), bucket


def test_with_only_aws_endpoint_url_set_the_data_and_the_lock_go_to_that_store(
    moto_s3: MotoS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("HOSTCAP_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_s3.endpoint)
    hostcap, bucket = hostcap_without_endpoint_setting(moto_s3, tmp_path)
    assert endpoints(hostcap) == (moto_s3.endpoint, moto_s3.endpoint)

    lock_seen = []
    report = hostcap.refresh(progress=lambda step: lock_seen.append(f"lake/{LOCK_FILE}" in moto_s3.objects(bucket, "lake/")))
    assert report.published, report.error
    assert lock_seen and all(lock_seen)  # the lease was on this store while the refresh ran
    stored = moto_s3.objects(bucket, "lake/")
    assert f"lake/runs/{report.run_id}.json" in stored and "lake/CURRENT.json" in stored
    assert f"lake/snapshots/{report.run_id}/gold/feeders.parquet" in stored


def test_the_s3_specific_variable_wins_and_hostcaps_own_setting_wins_over_both(
    moto_s3: MotoS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("HOSTCAP_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", NOWHERE)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_s3.endpoint)
    hostcap, _ = hostcap_without_endpoint_setting(moto_s3, tmp_path)
    assert endpoints(hostcap) == (moto_s3.endpoint, moto_s3.endpoint)
    assert hostcap.lake.current() is None  # reached the store: the bucket exists there

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", NOWHERE)
    monkeypatch.setenv("HOSTCAP_ENDPOINT_URL", moto_s3.endpoint)
    own = Hostcap(Settings(lake_dir=hostcap.settings.lake_dir))
    assert endpoints(own) == (moto_s3.endpoint, moto_s3.endpoint)
    assert own.lake.current() is None
