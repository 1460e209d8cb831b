"""A Rich progress bar per source while fetching: pages, rows (of the layer's count) and bytes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from hostcap.acquire.fetch import FetchProgress


@contextmanager
def fetch_progress(console: Console) -> Iterator[FetchProgress]:
    """A FetchProgress that draws one bar per source while the block runs."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}
    lock = threading.Lock()

    def update(source: str, pages: int, rows: int, expected: int, size: int) -> None:
        with lock:
            if source not in tasks:
                tasks[source] = bars.add_task(source, total=None, detail="")
        detail = f"{pages} pages, {rows:,} rows, {size / 1e6:.1f} MB"
        bars.update(tasks[source], completed=rows, total=expected or None, detail=detail)

    with bars:
        yield update
