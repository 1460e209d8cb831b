"""The few file operations `Storage` is built on, and their local-directory backend.

`Storage` holds the rules (relative paths, hidden files, links leading outside the root, errors
naming the location); a backend only touches files, addressed by full path. A local directory
is served by `LocalFiles`, plain `os` calls; an object store by `ArrowFiles` (pyarrow.fs, in
`hostcap.io.arrow_files`), imported only when a root needs it: pyarrow costs a command that
has nothing to do (a refresh with no change, `hostcap runs`) more than its work does.
Every failure is an OSError, which `Storage` turns into a StorageError.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, Protocol


class Entry(NamedTuple):
    """A file or directory found by a listing (links followed), by full path."""

    path: str
    is_dir: bool
    size: int
    mtime_ns: int | None


class Files(Protocol):
    def exists(self, path: str) -> bool: ...

    def entries(self, path: str, recursive: bool = False) -> list[Entry]:
        """Files and directories in `path` (in any order); none when `path` does not exist."""
        ...

    def read(self, path: str) -> bytes:
        """The whole file, one version of it: a file replaced meanwhile is read as it was or as
        it is, never as a mix of both."""
        ...

    def open_read(self, path: str) -> BinaryIO: ...

    def open_random(self, path: str) -> BinaryIO:
        """Open for random access (seekable)."""
        ...

    def move(self, path: str, to: str) -> None:
        """Move a file: atomic locally; on an object store the target appears whole."""
        ...

    def copy(self, path: str, to: str) -> None:
        """Copy a file without passing it through this process's memory whole; the target
        appears whole (locally a synced temporary copy renamed over it, on an object store a
        copy made by the store)."""
        ...

    def write(self, path: str, data: bytes | memoryview) -> None:
        """Replace `path` in one step: readers see the old content or the new, never a part."""
        ...

    def delete_dir(self, path: str) -> None: ...

    def delete_file(self, path: str) -> None: ...


class LocalFiles:
    """A local directory, through `os`."""

    def exists(self, path: str) -> bool:
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return False
        return True

    def entries(self, path: str, recursive: bool = False) -> list[Entry]:
        try:
            return list(self._scan(path, recursive))
        except FileNotFoundError:
            return []

    def _scan(self, path: str, recursive: bool) -> Iterator[Entry]:
        with os.scandir(path) as found:
            for item in found:
                try:
                    stat = item.stat()
                except FileNotFoundError:  # a broken link, or removed meanwhile
                    continue
                if item.is_dir():
                    yield Entry(item.path, True, 0, stat.st_mtime_ns)
                    if recursive and not item.is_symlink():
                        yield from self._scan(item.path, recursive)
                elif item.is_file():
                    yield Entry(item.path, False, stat.st_size, stat.st_mtime_ns)

    def read(self, path: str) -> bytes:
        """One version: a replacement is a rename, and the open file keeps the one it opened."""
        with open(path, "rb") as file:
            return file.read()

    def open_read(self, path: str) -> BinaryIO:
        return open(path, "rb")

    open_random = open_read

    def move(self, path: str, to: str) -> None:
        os.makedirs(os.path.dirname(to), exist_ok=True)
        os.replace(path, to)

    def copy(self, path: str, to: str) -> None:
        with open(path, "rb") as source, _replacing(to) as handle:
            shutil.copyfileobj(source, handle)

    def write(self, path: str, data: bytes | memoryview) -> None:
        with _replacing(path) as handle:
            handle.write(data)

    def delete_dir(self, path: str) -> None:
        shutil.rmtree(path)

    def delete_file(self, path: str) -> None:
        os.remove(path)


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[BinaryIO]:
    """A file to write whose content replaces `path` in one step once written: a temporary file,
    synced, renamed over the target (os.replace is atomic)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(tmp, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
