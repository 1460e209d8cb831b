"""Reading an S3 object that is being replaced returns one version of it, whole.

The lake replaces some objects in place (the published pointer, the history, run reports) while
the API, a watcher or another command reads them. S3 replaces an object atomically and answers
one GET with one version; a read made of a size lookup and then a ranged GET does not: between
the two the object can change, and the read returns the new version cut at the old one's size.
"""

from __future__ import annotations

import threading

import pytest

from hostcap.errors import StorageError
from hostcap.io.s3 import S3Access
from hostcap.io.storage import Storage
from tests.s3.conftest import REGION, MotoS3

SHORT, LONG = b'{"v": "' + b"a" * 300 + b'"}', b'{"v": "' + b"b" * 900 + b'"}'


def test_an_object_replaced_while_it_is_read_is_read_as_one_version_whole(moto_s3: MotoS3):
    storage = Storage(f"s3://{moto_s3.bucket()}/lake", S3Access(endpoint_url=moto_s3.endpoint, region=REGION))
    storage.write_bytes_atomic("CURRENT.json", SHORT)
    stop = threading.Event()

    def replace_again_and_again() -> None:
        versions = (LONG, SHORT)
        for turn in range(10_000):
            if stop.is_set():
                return
            storage.write_bytes_atomic("CURRENT.json", versions[turn % 2])

    writer = threading.Thread(target=replace_again_and_again)
    writer.start()
    try:
        reads = [storage.read_bytes("CURRENT.json") for _ in range(400)]
    finally:
        stop.set()
        writer.join()
    torn = [len(read) for read in reads if read not in (SHORT, LONG)]
    assert torn == [], f"{len(torn)} of {len(reads)} reads mixed two versions (lengths {sorted(set(torn))})"


def test_reading_a_missing_object_names_it(moto_s3: MotoS3):
    storage = Storage(f"s3://{moto_s3.bucket()}/lake", S3Access(endpoint_url=moto_s3.endpoint, region=REGION))
    with pytest.raises(StorageError, match=r"^cannot read s3://hostcap-\d+/lake/runs/none\.json: "):
        storage.read_bytes("runs/none.json")
