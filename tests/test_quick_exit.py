"""The `hostcap` command ends without the interpreter's teardown (hostcap.quick_exit), and nothing a
normal exit does that can be observed is lost: the exit status, every byte of output, the atexit
handlers, a non-daemon thread still at work, and no temporary file is left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REFRESH_SOURCES, REPO, SAMPLE, copy_configs

#: the installed entry point, run as the console script runs it
COMMAND = "import sys; from hostcap.cli import main; sys.exit(main())"


def run_python(code: str, *args: str, env: dict[str, str] | None = None, **options) -> subprocess.CompletedProcess:
    """`code` in a Python process of its own, its output a pipe, buffered as it is by default."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, timeout=300, cwd=REPO, env={**environment, **(env or {})}, **options,
    )  # fmt: skip


def test_a_refresh_exits_with_its_output_whole_and_its_kept_files_removed(tmp_path: Path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    lake = str(tmp_path / "lake")
    options = ["--source", str(SAMPLE), "--lake", lake, "--config", str(copy_configs(tmp_path / "cfg", list(REFRESH_SOURCES)))]
    refreshed = run_python(COMMAND, "refresh", *options, env={"TMPDIR": str(temp)})
    assert refreshed.returncode == 0, refreshed.stderr
    assert "published: yes" in refreshed.stdout
    # each source's silver was kept as a temporary Parquet copy for gold: none is left behind
    assert not list(temp.glob("hostcap-kept-*"))

    listed = run_python(COMMAND, "runs", "--lake", lake, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [run["status"] for run in json.loads(listed.stdout)] == ["succeeded"]


def test_the_exit_status_of_an_error_and_of_a_usage_error_is_kept(tmp_path: Path):
    missing = run_python(
        COMMAND, "refresh", "--source", str(SAMPLE), "--lake", str(tmp_path / "lake"), "--config", str(tmp_path / "none")
    )
    assert missing.returncode not in (0, None) and missing.stderr
    assert run_python(COMMAND, "no-such-command").returncode == 2


def test_buffered_output_arrives_whole_with_what_atexit_handlers_print():
    script = textwrap.dedent("""
        import atexit, sys
        from hostcap.quick_exit import exit_quickly
        atexit.register(lambda: print("printed at exit", end=""))
        sys.stdout.write("x" * 1_000_000 + "\\n" + "a last line with no end")
        sys.stderr.write("a warning with no end")
        exit_quickly(0)
    """)
    done = run_python(script)
    assert done.returncode == 0
    assert done.stdout == "x" * 1_000_000 + "\n" + "a last line with no end" + "printed at exit"
    assert done.stderr == "a warning with no end"


def test_atexit_handlers_run_and_the_status_is_returned(tmp_path: Path):
    mark = tmp_path / "mark"
    script = textwrap.dedent(f"""
        import atexit
        from hostcap.quick_exit import exit_quickly
        atexit.register(lambda: open({str(mark)!r}, "w").write("ran"))
        exit_quickly(3)
    """)
    assert run_python(script).returncode == 3
    assert mark.read_text() == "ran"


def test_a_closed_standard_output_and_a_code_the_system_truncates_exit_as_python_would():
    closed = "import sys; sys.stdout = None; from hostcap.quick_exit import exit_quickly; exit_quickly(4)"
    assert run_python(closed).returncode == 4
    large = run_python("from hostcap.quick_exit import exit_quickly; exit_quickly(2**40)")
    assert large.returncode == run_python("import sys; sys.exit(2**40)").returncode
    assert "Traceback" not in large.stderr


def test_a_running_non_daemon_thread_is_waited_for(tmp_path: Path):
    mark = tmp_path / "mark"
    script = textwrap.dedent(f"""
        import threading, time
        from hostcap.quick_exit import exit_quickly
        def late():
            time.sleep(0.5)
            open({str(mark)!r}, "w").write("done")
        threading.Thread(target=late).start()
        exit_quickly(0)
    """)
    assert run_python(script).returncode == 0
    assert mark.read_text() == "done"


def test_a_message_status_is_printed_and_exits_one():
    done = run_python("from hostcap.quick_exit import exit_quickly; exit_quickly('stopped: a reason')")
    assert done.returncode == 1
    assert "stopped: a reason" in done.stderr


def test_exit_now_ends_at_once_though_a_thread_is_at_work_with_output_and_atexit_kept():
    script = textwrap.dedent("""
        import atexit, threading
        from hostcap.quick_exit import exit_now
        threading.Thread(target=threading.Event().wait, daemon=False).start()  # never ends
        atexit.register(lambda: print("printed at exit"))
        print("abandoning")
        exit_now(130)
    """)
    ended = run_python(script)
    assert (ended.returncode, ended.stdout) == (130, "abandoning\nprinted at exit\n")
