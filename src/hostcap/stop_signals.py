"""Waiting in the main thread for Ctrl-C or SIGTERM without ever missing one.

Python runs a signal's handler in the main thread only, and only once that thread runs Python
code again. A main thread parked on a lock (`threading.Event().wait()`) is woken by a signal
only when the signal interrupts that very wait. It is not woken when the system hands the
signal to another thread (DuckDB's, Arrow's, the file watcher's), nor when the signal lands
just before the thread blocks. Both happen on a busy machine. The process then ignores the
stop, and `hostcap watch` went on for good after a SIGTERM.

Here the handlers only note the signal. Python also writes each signal's number to a socket
(`signal.set_wakeup_fd`), from whichever thread took it, and the main thread waits by reading
that socket. A signal that arrived earlier is still in the socket, so the read returns at once.
"""

from __future__ import annotations

import signal
import socket
from types import FrameType, TracebackType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _note(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing itself: the wakeup socket carries the signal to `wait`."""


class StopSignals:
    """Inside `with StopSignals() as stop:`, SIGINT and SIGTERM ask to stop and `stop.wait()`
    returns the first one. It returns whenever that signal arrived, even before the wait, and
    whichever thread took it.

    Once `wait` returns, the previous handlers are back: a second Ctrl-C interrupts what the
    stop then waits for (a running refresh), and a second SIGTERM ends the process. Use it in
    the main thread only; Python allows signal handlers nowhere else."""

    def __enter__(self) -> StopSignals:
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)  # the wakeup write must never block a signal handler
        # the socket first: from the moment a handler is ours, every signal reaches it
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, _note) for signum in STOP_SIGNALS}
        return self

    def wait(self) -> signal.Signals:
        """Block until SIGINT or SIGTERM; return which, with the previous handlers back."""
        while True:
            for number in self._reader.recv(64):  # one byte per signal: its number
                if number in STOP_SIGNALS:
                    self._restore()
                    return signal.Signals(number)

    def _restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
        signal.set_wakeup_fd(self._previous_fd)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        if self._previous:
            self._restore()
        self._reader.close()
        self._writer.close()
