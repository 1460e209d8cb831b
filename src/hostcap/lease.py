"""The refresh lock on S3: a lease object taken with a conditional PUT.

S3 has no flock, but it has conditional writes: `If-None-Match: *` creates an object only if
none exists, and `If-Match: <etag>` replaces it only if nobody replaced it since. The lease
object names its run and when it expires; its holder renews it every third of its length
while the refresh works, so a refresh that crashed (or lost the store) blocks the lake only
until its lease runs out. A contender takes over an expired lease with `If-Match` on the etag
it read, so of two contenders only one wins. Expiry is judged by the reader's clock: the
machines sharing a lake need clocks within a fraction of the lease length.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

from hostcap.errors import LakeError, RefreshBusy, StorageError
from hostcap.io.storage import Storage

log = logging.getLogger(__name__)


class S3Lease:
    def __init__(self, storage: Storage, rel: str, run_id: str, lease_s: float):
        self.storage = storage
        self.rel = rel
        self.bucket, self.key = storage.bucket_key(rel)
        self.run_id = run_id
        self.lease_s = lease_s
        self.client = storage.s3.client()
        self._token = uuid.uuid4().hex
        self._etag: str | None = None
        self._lost = False
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    # talking to S3 -----------------------------------------------------------------------------

    def _call(self, action: str, operation: str, **params) -> dict | None:
        """One S3 call; None when a condition failed or the object is not there (the caller
        decides what that means), StorageError for anything else."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, Key=self.key, **params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "NoSuchKey", "404"):
                return None
            reason = exc
        except BotoCoreError as exc:
            reason = exc
        raise StorageError(f"cannot {action} {self.storage.uri(self.rel)}: {self.storage.s3.redact(str(reason))}")

    def _body(self) -> bytes:
        expires = time.time() + self.lease_s
        return json.dumps({"run_id": self.run_id, "token": self._token, "expires_at": expires}).encode()

    def _read(self) -> tuple[dict, str] | None:
        """The lease as stored and its etag, or None when there is none."""
        found = self._call("read the refresh lock", "get_object")
        if found is None:
            return None
        return json.loads(found["Body"].read()), found["ETag"]

    # the lock ----------------------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the lease, or raise RefreshBusy naming the run holding an unexpired one."""
        for _ in range(3):  # the lease may be released or taken between our calls: look again
            created = self._call("take the refresh lock", "put_object", Body=self._body(), IfNoneMatch="*")
            if created is not None:
                return self._hold(created["ETag"])
            current = self._read()
            if current is None:
                continue
            lease, etag = current
            if lease["expires_at"] > time.time():
                raise RefreshBusy(lease["run_id"])
            log.warning("taking over the expired refresh lock of run %s", lease["run_id"])
            taken = self._call("take the refresh lock", "put_object", Body=self._body(), IfMatch=etag)
            if taken is not None:
                return self._hold(taken["ETag"])
        raise RefreshBusy(None)

    def _hold(self, etag: str) -> None:
        self._etag = etag
        self._renewer = threading.Thread(target=self._renew_until_released, name=f"lease-{self.run_id}", daemon=True)
        self._renewer.start()

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                renewed = self._call("renew the refresh lock", "put_object", Body=self._body(), IfMatch=self._etag)
            except StorageError as exc:  # the store may come back before the lease runs out
                log.warning("%s", exc.message)
                continue
            if renewed is None:
                self._lost = True
                log.error("run %s lost the refresh lock to another refresh", self.run_id)
                return
            self._etag = renewed["ETag"]

    def ensure_held(self) -> None:
        """Raise unless the lease is still ours: checked right before publishing."""
        current = self._read()
        if self._lost or current is None or current[0].get("token") != self._token:
            raise LakeError(f"run {self.run_id} no longer holds the refresh lock (it expired); nothing is published")

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours; if the store is out of
        reach, the lease simply expires."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self._lost or self._etag is None:
            return
        try:
            self._call("release the refresh lock", "delete_object", IfMatch=self._etag)
        except StorageError as exc:
            log.warning("%s; it expires within %.0f s", exc.message, self.lease_s)

    @staticmethod
    def holder(storage: Storage, rel: str) -> str | None:
        """The run holding an unexpired lease, or None."""
        current = S3Lease(storage, rel, "", 0)._read()
        if current is None or current[0]["expires_at"] <= time.time():
            return None
        return current[0]["run_id"]
