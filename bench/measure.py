"""Timing a whole command: wall time, and the peak resident memory of its process tree.

The tree matters: a Spark refresh's memory is mostly its Java child. RSS is sampled every 50 ms
over the command and all its descendants (summed), so the figure is the most memory the run held
at once, as an operator sizing a machine would want it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

import psutil

SAMPLE_EVERY_S = 0.05


@dataclass
class Measured:
    seconds: float
    peak_rss_mib: float


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total


def run(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command` to completion (it must succeed); its wall time and peak tree RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    process = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.Error:
                return
            done.wait(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}:\n{output.decode(errors='replace')[-3000:]}")
    return Measured(round(seconds, 3), round(peak / 2**20, 1))
