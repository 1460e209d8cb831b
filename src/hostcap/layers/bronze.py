"""Bronze: every row of every file as received (all text), with its lineage.

Nothing is dropped or changed here: the union of a source's files keeps every column any file
had (a file without a column gets nulls there), and each row knows its source, file, file
content hash, record number and the refresh that loaded it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyarrow as pa

from hostcap.config.source import SourceConfig
from hostcap.errors import SourceError
from hostcap.io.arrays import constant, empty_table
from hostcap.io.readers import PARSE_ERROR, ROW, match_headers, normalize_header

SOURCE = "_source"
FILE = "_file"
FILE_HASH = "_file_hash"
RUN_ID = "_run_id"
LINEAGE = [SOURCE, FILE, FILE_HASH, ROW, RUN_ID, PARSE_ERROR]


@dataclass(frozen=True)
class ReadResult:
    """One file as the reader returned it, with where it came from."""

    file: str
    file_hash: str
    table: pa.Table


def data_columns(table: pa.Table | list[str]) -> list[str]:
    """The columns of a bronze table that came from the file (not lineage)."""
    names = table.column_names if isinstance(table, pa.Table) else table
    return [n for n in names if n not in LINEAGE]


def column_problems(config: SourceConfig, headers: list[str]) -> list[str]:
    """What is wrong with a file's headers for its config: a required column missing (naming
    the file's closest header, so a renamed or misspelt column is found at a glance), or one
    configured header carried by several columns (`Feeder` and `FEEDER`), where no one can say
    which holds the data."""
    problems = [
        f"required column {' / '.join(repr(h) for h in spec.headers)} (for {field}) is missing{_closest(spec.headers, headers)}"
        for field, spec in config.columns.items()
        if spec.required and not match_headers(spec.headers, headers)
    ]
    for field, spec in config.columns.items():
        for name in spec.headers:
            found = _ambiguous(name, headers)
            if found:
                problems.append(
                    f"the columns {' and '.join(repr(h) for h in found)} all carry {name!r} (for {field}); keep one of them"
                )
    return problems


def _ambiguous(name: str, headers: list[str]) -> list[str]:
    """The columns that carry `name` equally well, when there are several: case variants of it
    (`Feeder`, `FEEDER`), or, with none spelt as configured, several footnoted forms of it. An
    exact column beside a footnoted one (`Circuit ID`, `Circuit ID1`) is not ambiguous: the
    exact one comes first and the other only fills its gaps, as an alias does."""
    found = match_headers([name], headers)
    exact = [h for h in found if h.casefold() == normalize_header(name).casefold()]
    candidates = exact or found
    return candidates if len(candidates) > 1 else []


def _closest(wanted: list[str], headers: list[str]) -> str:
    by_key = {h.casefold(): h for h in reversed(headers)}
    for name in wanted:
        close = difflib.get_close_matches(name.casefold(), list(by_key), n=1, cutoff=0.6)
        if close:
            return f"; the closest header is {by_key[close[0]]!r}"
    return ""


def check_columns(config: SourceConfig, file: str, headers: list[str]) -> None:
    """A file with a column problem (see column_problems) fails its source, naming the columns and the file."""
    problems = column_problems(config, headers)
    if problems:
        raise SourceError(config.source_id, "; ".join(problems), file=file)


def build_bronze(config: SourceConfig, reads: list[ReadResult], run_id: str) -> pa.Table:
    """Union of the source's files, each row stamped with its lineage."""
    tables = []
    for read in reads:
        check_columns(config, read.file, data_columns(read.table))
        n = read.table.num_rows
        tables.append(
            read.table.append_column(SOURCE, constant(config.source_id, n, pa.string()))
            .append_column(FILE, constant(read.file, n, pa.string()))
            .append_column(FILE_HASH, constant(read.file_hash, n, pa.string()))
            .append_column(RUN_ID, constant(run_id, n, pa.string()))
        )
    if not tables:
        return empty_table(pa.schema([(name, pa.int64() if name == ROW else pa.string()) for name in LINEAGE]))
    table = pa.concat_tables(tables, promote_options="default")
    return table.select(data_columns(table) + LINEAGE)
