"""The refresh lock on S3: a lease that is exclusive while renewed, expires when its holder
is gone, and is checked before publishing."""

from __future__ import annotations

import json
import time

import pytest

from hostcap.errors import LakeError, RefreshBusy
from hostcap.io.s3 import S3Access
from hostcap.lake import Lake
from hostcap.lock import LOCK_FILE, RefreshLock, running_run
from tests.s3.conftest import REGION, MotoS3


@pytest.fixture
def lake(moto_s3: MotoS3) -> Lake:
    return Lake(f"s3://{moto_s3.bucket()}/lake", S3Access(moto_s3.endpoint, REGION))


def put_lease(moto_s3: MotoS3, lake: Lake, run_id: str, expires_in_s: float) -> None:
    bucket, key = lake.storage.bucket_key(LOCK_FILE)
    lease = {"run_id": run_id, "token": "someone-else", "expires_at": time.time() + expires_in_s}
    moto_s3.client().put_object(Bucket=bucket, Key=key, Body=json.dumps(lease).encode())


def test_a_renewed_lease_outlives_its_length_and_is_exclusive(lake: Lake):
    with RefreshLock(lake, "first", lease_s=1.5) as held:
        time.sleep(2.5)  # longer than the lease: renewed meanwhile
        assert running_run(lake) == "first"
        with pytest.raises(RefreshBusy) as busy, RefreshLock(lake, "second"):
            pass
        assert busy.value.running_run_id == "first"
        held.ensure_held()
    assert running_run(lake) is None


def test_the_lease_of_a_holder_that_died_is_taken_over_once_expired(moto_s3: MotoS3, lake: Lake):
    put_lease(moto_s3, lake, "crashed", expires_in_s=30)
    with pytest.raises(RefreshBusy, match="crashed"), RefreshLock(lake, "next"):
        pass
    put_lease(moto_s3, lake, "crashed", expires_in_s=-1)
    assert running_run(lake) is None
    with RefreshLock(lake, "next"):
        assert running_run(lake) == "next"


def test_a_holder_whose_lease_was_taken_over_may_not_publish(moto_s3: MotoS3, lake: Lake):
    with RefreshLock(lake, "slow") as held:
        put_lease(moto_s3, lake, "other", expires_in_s=60)  # as if "slow" stalled past its lease
        with pytest.raises(LakeError, match="no longer holds the refresh lock"):
            held.ensure_held()
    assert running_run(lake) == "other"  # releasing did not delete the other run's lease
