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

def to_another_thread(signum, after_s=0.2):
    # a thread that signals itself takes the signal: the main thread is not interrupted
    threading.Timer(after_s, lambda: signal.pthread_kill(threading.get_ident(), signum)).start()

before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
"""


def run(script: str, **popen: object) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(script)], capture_output=True, text=True, timeout=30, **popen
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_signal_another_thread_takes_ends_the_wait():
    out = run("""
        with StopSignals() as stop:
            to_another_thread(signal.SIGTERM)
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


def test_two_signals_in_quick_succession_are_two_stops_in_their_order():
    out = run("""
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
            print(stop.wait().name, stop.wait().name)
    """)
    assert out == "SIGTERM SIGINT\n"


def test_wake_ends_a_wait_and_a_later_signal_still_counts():
    out = run("""
        with StopSignals() as stop:
            threading.Timer(0.2, stop.wake).start()
            print(stop.wait())
            to_another_thread(signal.SIGINT)
            print(stop.wait().name)
    """)
    assert out == "None\nSIGINT\n"


def test_other_signals_keep_their_handlers_and_do_not_end_the_wait():
    out = run("""
        signal.signal(signal.SIGUSR1, lambda signum, frame: print("usr1"))
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGTERM)
            print(stop.wait().name)
    """)
    assert out == "usr1\nSIGTERM\n"


def test_a_signal_the_process_was_started_ignoring_stays_ignored():
    # what `nohup` or a shell's background job does to SIGINT
    out = run("""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)
            print(stop.wait().name, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
    """)
    assert out == "SIGTERM True\n"


def test_leaving_restores_the_handlers_and_the_wakeup_socket():
    out = run("""
        with StopSignals() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            stop.wait()
        print(all(signal.getsignal(signum) is handler for signum, handler in before.items()))
        print(signal.set_wakeup_fd(-1))
        try:
            with StopSignals():
                raise RuntimeError("starting failed")
        except RuntimeError:
            pass
        print(all(signal.getsignal(signum) is handler for signum, handler in before.items()))
        print(signal.set_wakeup_fd(-1))
    """)
    assert out == "True\n-1\nTrue\n-1\n"
