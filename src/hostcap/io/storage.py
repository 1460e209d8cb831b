"""One storage abstraction over pyarrow.fs, so a local directory and an object store behave alike."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileRef:
    """A file found under a storage root: its path relative to the root and its size."""

    path: str
    size: int

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


class Storage:
    """Files under one root (a local directory or `s3://bucket/prefix`), addressed by relative path."""

    def __init__(self, root: str):
        self.root = root
        if "://" in root:
            self.fs, base = pafs.FileSystem.from_uri(root)
        else:
            self.fs, base = pafs.LocalFileSystem(), str(Path(root).resolve())
        self.base = base.rstrip("/")
        self.is_local = isinstance(self.fs, pafs.LocalFileSystem)

    def full(self, rel: str) -> str:
        return f"{self.base}/{rel}" if rel else self.base

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.full(rel)).type != pafs.FileType.NotFound

    def list_files(self, rel_dir: str, pattern: str = "*") -> list[FileRef]:
        """Files directly in `rel_dir` whose name matches `pattern`, skipping hidden files, sorted by name."""
        selector = pafs.FileSelector(self.full(rel_dir), allow_not_found=True)
        found = []
        for info in self.fs.get_file_info(selector):
            name = posixpath.basename(info.path)
            if info.type == pafs.FileType.File and not name.startswith(".") and fnmatch.fnmatch(name, pattern):
                found.append(FileRef(posixpath.join(rel_dir, name) if rel_dir else name, info.size))
        return sorted(found, key=lambda f: f.name)

    def list_dirs(self, rel_dir: str) -> list[str]:
        selector = pafs.FileSelector(self.full(rel_dir), allow_not_found=True)
        return sorted(
            posixpath.basename(i.path) for i in self.fs.get_file_info(selector) if i.type == pafs.FileType.Directory
        )

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.full(rel)) as stream:
            return stream.read()

    def sha256(self, rel: str) -> str:
        """Content hash: change detection is by content, never by file time."""
        digest = hashlib.sha256()
        with self.fs.open_input_stream(self.full(rel)) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def write_bytes_atomic(self, rel: str, data: bytes) -> None:
        """Replace `rel` in one step: readers see the old content or the new, never a part.

        Locally a temporary file is renamed over the target (os.replace is atomic); on S3 a single
        PUT of an object is atomic.
        """
        target = self.full(rel)
        self.fs.create_dir(posixpath.dirname(target), recursive=True)
        if self.is_local:
            tmp = f"{target}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        else:
            with self.fs.open_output_stream(target) as stream:
                stream.write(data)

    def write_parquet(self, rel: str, table: pa.Table) -> None:
        target = self.full(rel)
        self.fs.create_dir(posixpath.dirname(target), recursive=True)
        pq.write_table(table, target, filesystem=self.fs, compression="snappy")

    def read_parquet(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.full(rel), filesystem=self.fs, columns=columns)

    def delete_dir(self, rel: str) -> None:
        if self.exists(rel):
            self.fs.delete_dir(self.full(rel))
