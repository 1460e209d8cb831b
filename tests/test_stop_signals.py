"""StopSignals: the main thread's wait for Ctrl-C or SIGTERM never misses one.

Each case runs in a fresh interpreter with a deadline: a missed signal shows as a timeout rather
than a hung test run. `hostcap watch`'s own cases are in test_orchestration.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PRELUDE = """
import os, signal, threading
from hostcap.stop_signals import StopSignals
"""


def run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(script)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_signal_another_thread_takes_ends_the_wait():
    # a thread that signals itself takes the signal: the main thread is not interrupted
    out = run("""
        with StopSignals() as stop:
            threading.Timer(0.2, lambda: signal.pthread_kill(threading.get_ident(), signal.SIGTERM)).start()
            print(stop.wait().name)
    """)
    assert out == "SIGTERM\n"


def test_a_signal_that_arrived_before_the_wait_ends_it():
    out = run("""
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGINT)
            print("still running")
            print(stop.wait().name)
    """)
    assert out == "still running\nSIGINT\n"


def test_other_signals_keep_their_handlers_and_do_not_end_the_wait():
    out = run("""
        signal.signal(signal.SIGUSR1, lambda signum, frame: print("usr1"))
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGTERM)
            print(stop.wait().name)
    """)
    assert out == "usr1\nSIGTERM\n"


def test_the_previous_handlers_are_back_once_the_wait_returns():
    out = run("""
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            stop.wait()
            # a second Ctrl-C interrupts what the stop waits for, as it would have before
            print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
            print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
        print(signal.set_wakeup_fd(-1))
    """)
    assert out == "True\nTrue\n-1\n"


def test_leaving_without_a_signal_restores_everything():
    out = run("""
        try:
            with StopSignals():
                raise RuntimeError("starting failed")
        except RuntimeError:
            pass
        print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
        print(signal.set_wakeup_fd(-1))
    """)
    assert out == "True\nTrue\n-1\n"
