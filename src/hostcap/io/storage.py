"""One storage abstraction, so a local directory and an object store behave alike.

A local directory is read and written through `os`, an object store through pyarrow.fs (see
`hostcap.io.files`): a command with a local lake and nothing to do never imports pyarrow.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hostcap.errors import StorageError
from hostcap.io.files import Files, LocalFiles
from hostcap.io.s3 import S3Access

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileRef:
    """A file found under a storage root: its path relative to the root, its size and when it
    was last modified (seconds since the epoch; None where the store does not say). `refused`
    says why it must not be read (a link leading outside the root), and then it never is."""

    path: str
    size: int
    mtime: float | None = None
    refused: str = ""

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


class Storage:
    """Files under one root (a local directory or `s3://bucket/prefix`), addressed by relative path.

    Every failure to reach or use the store (no such bucket, access denied, the store gone)
    raises StorageError naming the location, with any credential blanked out.
    """

    def __init__(self, root: str, s3: S3Access | None = None):
        self.root = root
        self.s3 = s3 or S3Access()
        self.files: Files
        if root.startswith("s3://"):
            from hostcap.io.arrow_files import S3Files

            self.files, base = S3Files(self.s3.filesystem(), self.s3), root.removeprefix("s3://")
        elif "://" in root:
            from hostcap.io.arrow_files import files_for_uri

            self.files, base = files_for_uri(root)
        else:
            self.files, base = LocalFiles(), str(Path(root).resolve())
        self.base = base.rstrip("/")
        self.is_local = isinstance(self.files, LocalFiles)

    def uri(self, rel: str = "") -> str:
        """Where `rel` is, as a person would write it (for messages)."""
        root = self.root.rstrip("/")
        return f"{root}/{rel}" if rel else root

    def bucket_key(self, rel: str) -> tuple[str, str]:
        """The S3 bucket and object key of `rel`."""
        bucket, _, key = self.full(rel).partition("/")
        return bucket, key

    @contextmanager
    def _failing(self, action: str, rel: str = "") -> Iterator[None]:
        """Turn the store's own error into a StorageError that says what was done where."""
        try:
            yield
        except OSError as exc:
            raise StorageError(f"cannot {action} {self.uri(rel)}: {self.s3.redact(str(exc))}") from None

    def check(self) -> None:
        """Fail now, clearly, if an S3 root's bucket is missing or out of reach: S3 answers a
        listing in a missing bucket with nothing, which would look like an empty source or lake."""
        if self.is_local:
            return
        bucket = self.base.split("/", 1)[0]
        with self._failing("reach the bucket of"):
            found = self.files.exists(bucket)
        if not found:
            raise StorageError(f"the bucket {bucket!r} of {self.uri()} does not exist")

    def full(self, rel: str) -> str:
        return f"{self.base}/{rel}" if rel else self.base

    def exists(self, rel: str) -> bool:
        with self._failing("look for", rel):
            return self.files.exists(self.full(rel))

    def list_files(self, rel_dir: str, pattern: str = "*") -> list[FileRef]:
        """Files directly in `rel_dir` whose name matches `pattern`, skipping hidden files, sorted by name.

        Locally, a symbolic link is followed only if it stays inside the root; one leading outside
        is listed as refused (never read), so its source can say so instead of it vanishing.
        """
        with self._failing("list", rel_dir):
            entries = self.files.entries(self.full(rel_dir))
        found = []
        for entry in entries:
            name = posixpath.basename(entry.path)
            if not entry.is_dir and not name.startswith(".") and fnmatch.fnmatch(name, pattern):
                rel = posixpath.join(rel_dir, name) if rel_dir else name
                if self.is_local and not self._inside_root(entry.path):
                    found.append(FileRef(rel, 0, refused="a symbolic link to a file outside the source root"))
                else:
                    mtime = entry.mtime_ns / 1e9 if entry.mtime_ns is not None else None
                    found.append(FileRef(rel, entry.size, mtime))
        return sorted(found, key=lambda f: f.name)

    def _inside_root(self, path: str) -> bool:
        """Whether a local path, links resolved, is under the root."""
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(self.base))

    def list_dirs(self, rel_dir: str) -> list[str]:
        with self._failing("list", rel_dir):
            entries = self.files.entries(self.full(rel_dir))
        return sorted(posixpath.basename(entry.path) for entry in entries if entry.is_dir)

    def tree(self) -> dict[str, tuple[int, int | None]]:
        """Every file under the root, by full path: its size and modification time (ns). One
        listing, no reads; OSError when the store cannot be listed."""
        return {e.path: (e.size, e.mtime_ns) for e in self.files.entries(self.base, recursive=True) if not e.is_dir}

    def read_bytes(self, rel: str) -> bytes:
        """The whole file, as one version: never part old and part new when it is replaced meanwhile."""
        with self._failing("read", rel):
            return self.files.read(self.full(rel))

    @contextmanager
    def open_file(self, rel: str) -> Iterator[BinaryIO]:
        """The file open for random access (a Parquet footer is read without the rest)."""
        with self._failing("read", rel), self.files.open_random(self.full(rel)) as handle:
            yield handle

    def read_verified(self, rel: str, sha256: str) -> bytes:
        """The file's bytes, provided they are the bytes whose hash is `sha256`: what is parsed is
        then exactly what was hashed when the refresh was planned (and what lineage records).
        A file replaced or still being written since raises FileChanged."""
        data = self.read_bytes(rel)
        found = hashlib.sha256(data).hexdigest()
        if found != sha256:
            raise FileChanged(rel, sha256, found)
        return data

    def sha256(self, rel: str) -> str:
        """Content hash: change detection is by content, never by file time."""
        return self.digest(rel)[0]

    def digest(self, rel: str) -> tuple[str, int]:
        """The file's sha256 and size, read in chunks (a file larger than memory is hashed too)."""
        digest, size = hashlib.sha256(), 0
        with self._failing("read", rel), self.files.open_read(self.full(rel)) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def write_bytes_atomic(self, rel: str, data: bytes | memoryview) -> None:
        """Replace `rel` in one step: readers see the old content or the new, never a part.

        Locally a temporary file is renamed over the target (os.replace is atomic); on S3 an
        object appears whole when its upload completes, never in part.
        """
        with self._failing("write", rel):
            self.files.write(self.full(rel), data)

    def copy(self, rel: str, to: str) -> None:
        """Copy a file within the root; the copy appears whole, its bytes never held here whole."""
        with self._failing("copy", rel):
            self.files.copy(self.full(rel), self.full(to))

    def move(self, rel: str, to: str) -> None:
        """Move a file within the root: a rename locally (atomic), a copy and delete on S3 (the
        target object appears whole when its copy completes)."""
        with self._failing("move", rel):
            self.files.move(self.full(rel), self.full(to))

    def delete_dir(self, rel: str) -> None:
        if self.exists(rel):
            with self._failing("delete", rel):
                self.files.delete_dir(self.full(rel))

    def delete_file(self, rel: str) -> None:
        with self._failing("delete", rel):
            self.files.delete_file(self.full(rel))


class FileChanged(Exception):
    """A file's content is not what it was when it was hashed."""

    def __init__(self, path: str, expected: str, found: str):
        super().__init__(f"{path}: sha256 {expected[:12]}… expected, {found[:12]}… found")
        self.path, self.expected, self.found = path, expected, found


@contextmanager
def blame(where: str) -> Iterator[None]:
    """Prefix a StorageError raised inside with the source or layer it happened to, so a
    report says what a failed storage call was for, not only where it went."""
    try:
        yield
    except StorageError as exc:
        raise StorageError(f"{where}: {exc.message}") from None
