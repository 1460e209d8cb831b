"""A real S3 protocol server (moto's server mode) on 127.0.0.1, and helpers to use it.

Every AWS client in these tests talks to 127.0.0.1 only: the endpoints point there, the
credentials are dummies, no profile or config file is read, and the EC2 metadata service
is never asked. The server keeps its buckets in this process, so a test can stop it and
start it again on the same port with its data intact, as a store that went away and came back.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from hostcap.config import Settings
from hostcap.core import Hostcap
from tests.conftest import SAMPLE, copy_configs, free_port

REGION = "us-east-1"
_buckets = itertools.count()


@dataclass
class MotoS3:
    """A running server and a boto3 client of it, for setting up and inspecting buckets."""

    port: int
    server: ThreadedMotoServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str = "s3"):
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)

    def bucket(self, name: str = "hostcap") -> str:
        """A new, empty bucket with a unique name."""
        bucket = f"{name}-{next(_buckets)}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def upload(self, local: Path, bucket: str, prefix: str) -> str:
        """Every file under `local` to `s3://bucket/prefix/...`; returns that URI."""
        client = self.client()
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(local).as_posix()}")
        return f"s3://{bucket}/{prefix}"

    def objects(self, bucket: str, prefix: str = "") -> dict[str, tuple[str, object]]:
        """Every object under `prefix`: key → (etag, last modified)."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return {o["Key"]: (o["ETag"], o["LastModified"]) for page in pages for o in page.get("Contents", [])}

    def start(self) -> MotoS3:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


def aws_env(endpoint: str) -> dict[str, str]:
    """Dummy credentials and local endpoints: nothing can reach AWS itself."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_ENDPOINT_URL": endpoint,
    }


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """One server for the session (its buckets are unique per test)."""
    moto = MotoS3(free_port()).start()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in aws_env(moto.endpoint).items():
            patch.setenv(name, value)
        yield moto
    moto.stop()


@pytest.fixture
def own_moto_s3(moto_s3: MotoS3) -> Iterator[MotoS3]:
    """A server of this test's own, free to be stopped (the session's keeps running)."""
    moto = MotoS3(free_port()).start()
    yield moto
    moto.stop()


def sample_sources(tmp_path: Path, sources: list[str]) -> Path:
    """The bundled sample's files of `sources`, copied aside (to upload, and to change)."""
    local = tmp_path / "local"
    for source_id in sources:
        shutil.copytree(SAMPLE / source_id, local / source_id)
    return local


def s3_hostcap(moto: MotoS3, tmp_path: Path, source: str, lake: str, source_ids: list[str], **settings) -> Hostcap:
    """A Hostcap over S3 sources and an S3 lake on `moto`, with only the given sources configured."""
    configs = tmp_path / "cfg"
    if not configs.exists():
        copy_configs(configs, source_ids)
    return Hostcap(
        Settings(source_dir=source, lake_dir=lake, config_dir=configs, endpoint_url=moto.endpoint, aws_region=REGION, **settings)
    )
