"""Waiting in the main thread for Ctrl-C or SIGTERM without ever missing one.

Python runs a signal's handler in the main thread only, and only once that thread runs Python
code again. A main thread parked on a lock (`threading.Event().wait()`, a thread's `join()`) is
woken by a signal only when the signal interrupts that very wait. It is not woken when the
system hands the signal to another thread (DuckDB's, Arrow's, the file watcher's), nor when the
signal lands just before the thread blocks. Both happen on a busy machine. The process then
ignores the stop, and `hostcap watch` went on for good after a SIGTERM.

Here the handlers only note the signal. Python also writes each signal's number to a socket
(`signal.set_wakeup_fd`), from whichever thread took it, and the main thread waits by reading
that socket. A signal that arrived earlier is still in the socket, so the read returns at once,
and two signals in quick succession are two stops.
"""

from __future__ import annotations

import signal
import socket
from types import FrameType, TracebackType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: written by `wake`: not a signal's number
_WAKE = 0


def _note(signum: int, frame: FrameType | None) -> None:
    """A handler that does nothing itself: the wakeup socket carries the signal to `wait`."""


class StopSignals:
    """Inside `with StopSignals() as stop:`, SIGINT and SIGTERM ask to stop and `stop.wait()`
    returns each one, in the order they came: whenever it arrived (before the wait too), and
    whichever thread took it. `wake()`, from any thread, makes a waiting `wait()` return None.

    A signal the process was started ignoring (`nohup`, a shell's background job) stays
    ignored. On leaving, the previous handlers are back. Use it in the main thread only: Python
    allows signal handlers nowhere else."""

    def __enter__(self) -> StopSignals:
        self._received: list[int] = []
        self._previous: dict[int, object] = {}
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)  # a handler's wakeup write must never block
        self._previous_fd: int | None = None
        try:
            # the socket first: from the moment a handler is ours, every signal reaches it
            self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
            for signum in STOP_SIGNALS:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self._previous[signum] = signal.signal(signum, _note)
        except BaseException:  # a Ctrl-C while the handlers go in: leave nothing of ours behind
            self._leave()
            raise
        return self

    def wait(self) -> signal.Signals | None:
        """Block until a stop signal (return it) or `wake()` (return None)."""
        while True:
            while self._received:
                number = self._received.pop(0)
                if number == _WAKE:
                    return None
                if number in self._previous:
                    return signal.Signals(number)
            self._received.extend(self._reader.recv(64))  # one byte per signal: its number

    def wake(self) -> None:
        """Make `wait` return None (from another thread: the work it waits for is done)."""
        self._writer.send(bytes([_WAKE]))

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self._leave()

    def _leave(self) -> None:
        for signum, handler in self._previous.items():
            # None: a handler not installed from Python, which cannot be put back; the default is
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if self._previous_fd is not None:
            signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
