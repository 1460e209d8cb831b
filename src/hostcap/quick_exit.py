"""Ending the `hostcap` process without the interpreter's teardown, once a command is done.

After the last atexit handler Python frees every object of every loaded module one by one, and
DuckDB, Arrow and NumPy tear down their native state: about a tenth of a second after a refresh,
which a short command (a refresh with nothing to do takes under half a second) pays on every
run. The operating system reclaims the process's memory and files at once and for nothing.

So the command's entry point does what a normal exit does that anyone can observe, then ends
the process: it flushes standard output and error, runs the atexit handlers (the logging
flush, weakref finalizers such as the removal of `seal.WrittenParquet`'s kept files, a test's
probe), flushes again (what a handler printed), and then calls `os._exit`. It exits the usual
way whenever skipping the teardown could lose something: while another non-daemon thread still
runs (Python would wait for it), when the exit status is a message or a number the system does
not keep as it is (beyond 0 to 255), or when flushing an output fails (Python reports that
itself). What a native library buffered in C's own standard output is not flushed; nothing
hostcap loads prints there.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def exit_quickly(status: int | str | None) -> None:
    """End the process with `status` (None is success), as `sys.exit(status)` would but for
    the teardown nobody observes; see the module's doc for when it exits the usual way."""
    if not _nothing_left_to_wait_for(status) or not _flushed():
        sys.exit(status)
    atexit._run_exitfuncs()  # what the interpreter runs first when it exits; clears the handlers
    if not _flushed():  # what a handler printed
        sys.exit(status)
    os._exit(status or 0)


def exit_now(status: int) -> None:
    """End the process with `status` (0 to 255) at once, whatever its other threads are doing:
    for a second Ctrl-C, which abandons the work a stop was waiting for. The output is flushed
    and the atexit handlers run; nothing waits for a thread, which Python's own exit would."""
    _flushed()
    atexit._run_exitfuncs()
    _flushed()
    os._exit(status)


def _nothing_left_to_wait_for(status: int | str | None) -> bool:
    """True when the status is an exit code as the system keeps it (0 to 255; None is 0) and no
    other non-daemon thread runs."""
    if not (status is None or (isinstance(status, int) and 0 <= status <= 255)):
        return False
    current = threading.current_thread()
    return not any(t is not current and t.is_alive() and not t.daemon for t in threading.enumerate())


def _flushed() -> bool:
    """Flush standard output and error (those the process has); False when one cannot be (a
    closed pipe or stream), which Python's own exit then reports."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
