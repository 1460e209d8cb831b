"""A refresh publishes exactly the bytes it hashed: a file replaced or still being written while a
refresh runs is never published under another version's hash, and any failure inside a source,
whatever its kind, stays inside that source while the run always ends with a status."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pyarrow.compute as pc
import pytest

from hostcap.build import Builder
from hostcap.core import Hostcap
from hostcap.report import RefreshReport
from tests.test_refresh import hostcap_for, the_file

SOURCE = "national_grid/installed_der"


def installed_ids(hostcap: Hostcap) -> list[str]:
    ders = hostcap.lake.read_table("ders")
    ders = ders.filter(pc.equal(ders["utility"], "national_grid"))
    return sorted(ders.filter(pc.equal(ders["status"], "installed"))["native_der_id"].to_pylist())


def bronze_hashes(hostcap: Hostcap) -> set[str]:
    return set(hostcap.lake.read_table(SOURCE, layer="bronze")["_file_hash"].to_pylist())


def lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def refresh_replacing_during_the_run(hostcap: Hostcap, path: Path, content: bytes):
    """A real refresh during which, after the run hashed the source's files and before it reads
    them, the file is replaced by `content` (as a delivery landing mid-run would)."""

    def progress(step: str) -> None:
        if step == SOURCE:
            path.write_bytes(content)

    return hostcap.refresh(progress=progress)


def refresh_while(hostcap: Hostcap, write) -> RefreshReport:
    """A real refresh while `write(stop)` writes the source file on another thread; the writer
    is stopped (and joined) when the refresh ends, whatever happened."""
    stop = threading.Event()
    writer = threading.Thread(target=write, args=(stop,))
    writer.start()
    try:
        return hostcap.refresh()
    finally:
        stop.set()
        writer.join()


def published(tmp_path: Path, sample_copy: Path) -> tuple[Hostcap, Path, bytes, list[str]]:
    """The sample published: the hostcap, the source's file, its bytes (version A) and the
    installed DER IDs served from it."""
    hostcap = hostcap_for(tmp_path, sample_copy)
    path = the_file(sample_copy, SOURCE)
    version_a = path.read_bytes()
    assert hostcap.refresh().status == "succeeded"
    return hostcap, path, version_a, installed_ids(hostcap)


def test_a_file_replaced_mid_run_is_not_published_under_the_hash_of_another_version(tmp_path: Path, sample_copy: Path):
    hostcap, path, version_a, published_a = published(tmp_path, sample_copy)
    header, *rows = lines(version_a)
    half_written = header + b"".join(rows[: len(rows) // 2])
    path.write_bytes(header + b"".join(rows[:-1]))  # version B, which the run plans with
    report = refresh_replacing_during_the_run(hostcap, path, half_written)

    source = next(s for s in report.sources if s.source == SOURCE)
    assert source.status == "stale", source
    assert "changed while the refresh ran" in source.error and path.name in source.error
    # nothing of the half-written version is served, and lineage names the bytes that are served
    assert installed_ids(hostcap) == published_a
    assert bronze_hashes(hostcap) == {hashlib.sha256(version_a).hexdigest()}

    # the next refresh takes the file as it now is, under that file's own hash
    again = hostcap.refresh()
    assert next(s for s in again.sources if s.source == SOURCE).status == "succeeded"
    assert bronze_hashes(hostcap) == {hashlib.sha256(half_written).hexdigest()}
    assert len(installed_ids(hostcap)) < len(published_a)


def test_an_a_b_a_swap_leaves_data_lineage_and_change_detection_in_agreement(tmp_path: Path, sample_copy: Path):
    hostcap, path, version_a, published_a = published(tmp_path, sample_copy)
    header, *rows = lines(version_a)
    path.write_bytes(header + b"".join(rows[:5]))  # B, planned; A is back by the time it is read
    report = refresh_replacing_during_the_run(hostcap, path, version_a)

    assert next(s for s in report.sources if s.source == SOURCE).status == "stale"
    assert installed_ids(hostcap) == published_a
    assert bronze_hashes(hostcap) == {hashlib.sha256(version_a).hexdigest()}
    # the served data is A's, so A on disk is rightly "unchanged"
    assert hostcap.refresh().status == "unchanged"


def test_a_file_still_being_written_is_waited_for_then_loaded_whole(tmp_path: Path, sample_copy: Path):
    hostcap = hostcap_for(tmp_path, sample_copy, settle_s=0.5)
    path = the_file(sample_copy, SOURCE)
    whole = path.read_bytes()
    header, *rows = lines(whole)
    path.write_bytes(header + b"".join(rows[:3]))

    def finish_writing(stop: threading.Event) -> None:
        if not stop.wait(0.3):
            with path.open("ab") as handle:
                handle.write(b"".join(rows[3:]))

    report = refresh_while(hostcap, finish_writing)
    source = next(s for s in report.sources if s.source == SOURCE)
    assert report.status == "succeeded" and source.status == "succeeded"
    assert source.rows_in == len(rows)
    assert bronze_hashes(hostcap) == {hashlib.sha256(whole).hexdigest()}


def test_a_file_that_keeps_changing_is_not_taken_as_a_delivery(tmp_path: Path, sample_copy: Path):
    hostcap = hostcap_for(tmp_path, sample_copy)
    assert hostcap.refresh().status == "succeeded"
    published = installed_ids(hostcap)

    slow = hostcap_for(tmp_path, sample_copy, settle_s=0.2)
    path = the_file(sample_copy, SOURCE)
    header, *rows = lines(path.read_bytes())
    path.write_bytes(header)

    def keep_writing(stop: threading.Event) -> None:  # one row every 50 ms, for at most 10 s
        for row in rows[:200]:
            if stop.wait(0.05):
                return
            with path.open("ab") as handle:
                handle.write(row)

    report = refresh_while(slow, keep_writing)
    source = next(s for s in report.sources if s.source == SOURCE)
    assert source.status == "stale" and "still being written" in source.error and path.name in source.error
    assert {s.status for s in report.sources if s.source != SOURCE} == {"skipped-unchanged"}
    assert installed_ids(slow) == published


def test_an_old_file_is_not_waited_for(tmp_path: Path, sample_copy: Path):
    """Settling costs nothing when the files were written long enough ago."""
    path = the_file(sample_copy, SOURCE)
    path.write_bytes(path.read_bytes())
    os.utime(path, (time.time() - 60, time.time() - 60))
    started = time.monotonic()
    report = hostcap_for(tmp_path, sample_copy, settle_s=30).refresh()
    assert report.status == "succeeded" and time.monotonic() - started < 30


def test_an_unexpected_error_inside_one_source_stays_in_that_source(tmp_path: Path, sample_copy: Path, monkeypatch):
    real = Builder._silver

    def broken(self, engine, config, bronze, report):
        if config.source_id == SOURCE:
            raise TypeError("an engine bug no one foresaw")
        return real(self, engine, config, bronze, report)

    monkeypatch.setattr(Builder, "_silver", broken)
    report = hostcap_for(tmp_path, sample_copy).refresh()

    assert report.status == "partial" and report.published
    (failed,) = report.failed_sources
    assert failed.source == SOURCE and failed.status == "failed"
    assert "TypeError: an engine bug no one foresaw" in failed.error
    assert failed.layers["silver"].status == "failed"
    assert {s.status for s in report.sources if s.source != SOURCE} == {"succeeded"}


def test_an_unexpected_error_outside_the_sources_still_ends_the_run_with_a_status(tmp_path: Path, sample_copy: Path, monkeypatch):
    hostcap = hostcap_for(tmp_path, sample_copy)

    def broken(*args, **kwargs):
        raise KeyError("gold went wrong")

    monkeypatch.setattr("hostcap.build.Builder.build_gold", broken)
    report = hostcap.refresh()
    assert report.status == "failed" and not report.published and "KeyError" in report.error
    saved = hostcap.lake.read_report(report.run_id)
    assert saved["status"] == "failed" and saved["finished_at"]
    assert hostcap.lake.current() is None


@pytest.mark.parametrize("width", [4097, 6000])
def test_a_very_wide_file_fails_or_loads_alone_and_the_run_ends(tmp_path: Path, sample_copy: Path, width: int):
    """A file wider than the CSV reader's typed columns: a real refresh of every source."""
    path = the_file(sample_copy, SOURCE)
    header, *rows = lines(path.read_bytes())
    extra = b"".join(b",%d" % (2000 + i) for i in range(width))  # numeric headers, as in a year-by-year export
    path.write_bytes(
        header.rstrip(b"\r\n") + extra + b"\r\n" + b"".join(r.rstrip(b"\r\n") + b",1" * width + b"\r\n" for r in rows)
    )
    report = hostcap_for(tmp_path, sample_copy).refresh()
    assert report.status in ("succeeded", "partial") and report.published
    assert report.finished_at
    source = next(s for s in report.sources if s.source == SOURCE)
    assert source.status in ("succeeded", "failed")
    others = [s for s in report.sources if s.source != SOURCE]
    assert {s.status for s in others} == {"succeeded"}
    if source.status == "succeeded":
        assert source.rows_in == len(rows) and source.loaded + source.quarantined + source.excluded == len(rows)
    else:
        assert path.name in source.error


def test_a_file_dated_in_the_future_settles_by_not_changing(tmp_path: Path, sample_copy: Path):
    path = the_file(sample_copy, SOURCE)
    path.write_bytes(path.read_bytes())
    tomorrow = time.time() + 86400
    os.utime(path, (tomorrow, tomorrow))
    report = hostcap_for(tmp_path, sample_copy, settle_s=0.3).refresh()
    assert report.status == "succeeded", report.sources
