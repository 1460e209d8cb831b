"""The object-store backend of `Storage` (see `hostcap.io.files`): S3, or any URI pyarrow.fs knows."""

from __future__ import annotations

from typing import BinaryIO

import pyarrow.fs as pafs

from hostcap.io.files import Entry, Files, LocalFiles
from hostcap.io.s3 import S3Access


class ArrowFiles:
    """Files in a pyarrow filesystem; an object appears whole when its upload completes."""

    def __init__(self, fs: pafs.FileSystem):
        self.fs = fs

    def exists(self, path: str) -> bool:
        return self.fs.get_file_info(path).type != pafs.FileType.NotFound

    def entries(self, path: str, recursive: bool = False) -> list[Entry]:
        infos = self.fs.get_file_info(pafs.FileSelector(path, recursive=recursive, allow_not_found=True))
        return [
            Entry(info.path, info.type == pafs.FileType.Directory, info.size or 0, info.mtime_ns)
            for info in infos
            if info.type in (pafs.FileType.File, pafs.FileType.Directory)
        ]

    def read(self, path: str) -> bytes:
        with self.fs.open_input_stream(path) as stream:
            return stream.read()

    def open_read(self, path: str) -> BinaryIO:
        return self.fs.open_input_stream(path)

    def open_random(self, path: str) -> BinaryIO:
        return self.fs.open_input_file(path)

    def move(self, path: str, to: str) -> None:
        """A copy and delete on S3: the target object appears whole when its copy completes."""
        self.fs.move(path, to)

    def copy(self, path: str, to: str) -> None:
        """Made by the store (S3's CopyObject): the bytes do not pass through this process."""
        self.fs.copy_file(path, to)

    def write(self, path: str, data: bytes | memoryview) -> None:
        """No parent directories: an object store has none (pyarrow would write an empty marker
        object per level, again on every write)."""
        with self.fs.open_output_stream(path) as stream:
            stream.write(data)

    def delete_dir(self, path: str) -> None:
        self.fs.delete_dir(path)

    def delete_file(self, path: str) -> None:
        self.fs.delete_file(path)


class S3Files(ArrowFiles):
    """S3 through pyarrow, except a whole-object read, which is one GET (through boto3).

    pyarrow reads an object by asking its size, then fetching that range: an object replaced
    between the two is read as the new version cut at the old one's size, or padded. The lake
    replaces some objects in place (the published pointer, the history, run reports) while the
    API and other commands read them; S3 answers one GET with one whole version."""

    def __init__(self, fs: pafs.FileSystem, access: S3Access):
        super().__init__(fs)
        self.access = access

    def read(self, path: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        bucket, _, key = path.partition("/")
        try:
            return self.access.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError("no such object") from None
            raise OSError(str(exc)) from None
        except BotoCoreError as exc:  # the store out of reach, a read cut short
            raise OSError(str(exc)) from None


def files_for_uri(uri: str) -> tuple[Files, str]:
    """The backend and base path of a root given as a URI other than `s3://`."""
    fs, base = pafs.FileSystem.from_uri(uri)
    return (LocalFiles() if isinstance(fs, pafs.LocalFileSystem) else ArrowFiles(fs)), base
