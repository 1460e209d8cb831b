"""One exception tree for the whole project.

Every error carries the HTTP status and CLI exit code it maps to, so the API has one handler
and the CLI one, and both say the same thing.
"""

from __future__ import annotations


class HostcapError(Exception):
    """Root of every error hostcap raises on purpose."""

    http_status = 500
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


#: the exceptions that ask the process to stop: every other exception is a failure of the work at
#: hand and is contained where that work is. Catching `Exception` is not enough to contain one: a
#: panic inside a native (Rust) library, such as the workbook reader, arrives as pyo3's
#: `PanicException`, which derives from BaseException.
PROCESS_EXITS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def describe(exc: BaseException) -> str:
    """One line for a log or a report: a HostcapError's own message, else the exception's type and text."""
    return exc.message if isinstance(exc, HostcapError) else f"{type(exc).__name__}: {exc}"


class ConfigError(HostcapError):
    """A source config or setting is invalid; the message names the file and the field."""

    http_status = 500
    exit_code = 2


class SourceError(HostcapError):
    """A source's files cannot be read as configured (missing column, unreadable file, bad sheet).

    It names the source, the file and, where one is to blame, the row or column.
    """

    http_status = 422
    exit_code = 3

    def __init__(self, source: str, message: str, file: str | None = None, row: int | None = None):
        where = source
        if file:
            where += f", file {file}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.file = file
        self.row = row
        self.reason = message


class LakeError(HostcapError):
    """The lake has no published snapshot, or a requested snapshot or table does not exist."""

    http_status = 404
    exit_code = 4


class LakeDamaged(LakeError):
    """A file of the lake is not what was written: the pointer or history is not valid JSON, or a
    snapshot's file is missing, unreadable or differs from the checksum its publish recorded. The
    message names the file; the next refresh repairs it."""

    http_status = 500


class LakeOutdated(LakeDamaged):
    """A snapshot an older hostcap published: intact, but its gold lacks columns this version
    serves. Served around like a damaged one (the newest snapshot that has them is served); the
    next refresh, whose code differs, rebuilds every layer."""


class StorageError(HostcapError):
    """A storage location cannot be reached or used: a bucket that does not exist, access denied,
    the store gone away. It names the location (never a credential); a retry may help once the
    store is back or the permission is granted."""

    http_status = 503
    exit_code = 7


class RefreshBusy(HostcapError):
    """Another refresh holds the lake's lock; it names the run that is running."""

    http_status = 409
    exit_code = 6

    def __init__(self, running_run_id: str | None, message: str | None = None):
        super().__init__(message or f"a refresh is already running (run {running_run_id or 'unknown'}); try again when it ends")
        self.running_run_id = running_run_id
