"""One refresh at a time per lake, across processes and threads.

An exclusive `flock` on `<lake>/refresh.lock`: the kernel drops it when its holder dies, so a
killed refresh never holds the lake forever. The holder writes its run id into the file so that
a refresh turned away can say which run is running.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from hostcap.errors import LakeError, RefreshBusy

LOCK_FILE = "refresh.lock"


class RefreshLock:
    def __init__(self, lake_root: str, run_id: str):
        if "://" in lake_root:
            raise LakeError("the refresh lock needs a local lake directory")
        self.path = Path(lake_root) / LOCK_FILE
        self.run_id = run_id
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = os.pread(fd, 200, 0).decode(errors="replace").strip() or None
            os.close(fd)
            raise RefreshBusy(running) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, self.run_id.encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def running_run(lake_root: str) -> str | None:
    """The run id holding the lock, or None when no refresh runs."""
    path = Path(lake_root) / LOCK_FILE
    if "://" in lake_root or not path.exists():
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
