"""One refresh at a time per lake, across processes, threads and, on S3, machines.

A local lake: an exclusive `flock` on `<lake>/refresh.lock`; the kernel drops it when its holder
dies, so a killed refresh never holds the lake forever. An S3 lake: a lease object at the same
place, taken with a conditional PUT and renewed while the refresh runs (`hostcap.lease`); a
holder that died blocks the lake until its lease expires. Either way the holder's run id is
recorded, so that a refresh turned away can say which run is running.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from hostcap.errors import LakeError, RefreshBusy, StorageError
from hostcap.lake import Lake
from hostcap.lease import S3Lease

LOCK_FILE = "refresh.lock"
#: seconds an S3 lease lasts unless renewed: how long a crashed refresh can block an S3 lake
DEFAULT_LEASE_S = 60.0


class FileLock:
    """The local lock: a flock on a file holding the run id. `where` names it in messages."""

    def __init__(self, path: Path, run_id: str, where: str):
        self.path = path
        self.run_id = run_id
        self.where = where
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise RefreshBusy naming the holder; StorageError when the lake
        cannot be written at all (read-only, its root not a directory, no space)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot take the refresh lock {self.where}: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = os.pread(fd, 200, 0).decode(errors="replace").strip() or None
            os.close(fd)
            raise RefreshBusy(running) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, self.run_id.encode(), 0)
        self._fd = fd

    def ensure_held(self) -> None:
        """A flock is held until released: nothing to check."""

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def holder(path: Path) -> str | None:
        if not path.exists():
            return None
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 200, 0).decode(errors="replace").strip() or None
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)


def _on_s3(lake: Lake) -> bool:
    if lake.storage.is_local:
        return False
    if lake.root.startswith("s3://"):
        return True
    raise LakeError(f"the refresh lock needs a local or S3 lake, not {lake.root}")


class RefreshLock:
    def __init__(self, lake: Lake, run_id: str, lease_s: float = DEFAULT_LEASE_S):
        if _on_s3(lake):
            self._lock: FileLock | S3Lease = S3Lease(lake.storage, LOCK_FILE, run_id, lease_s)
        else:
            self._lock = FileLock(Path(lake.storage.full(LOCK_FILE)), run_id, lake.storage.uri(LOCK_FILE))

    def __enter__(self) -> RefreshLock:
        self._lock.acquire()
        return self

    def ensure_held(self) -> None:
        """Raise LakeError if the lock was lost (an S3 lease that expired): call before publishing."""
        self._lock.ensure_held()

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._lock.release()


def running_run(lake: Lake) -> str | None:
    """The run id holding the lock, or None when no refresh runs."""
    if _on_s3(lake):
        return S3Lease.holder(lake.storage, LOCK_FILE)
    return FileLock.holder(Path(lake.storage.full(LOCK_FILE)))
