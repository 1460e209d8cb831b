"""Text that came from a file, made safe to show on an operator's terminal or in a log.

A source file's name, header or values reach error messages, run reports and log lines. Raw,
their control characters would be obeyed by the terminal showing them: `ESC ]0;…BEL` retitles
the window, `ESC [2J` clears it, `CR` or `LF` forges a line that looks like hostcap's own. So
everything printed or logged goes through `safe_text`, which writes each such character as its
Python escape, readable and inert: ESC becomes the four characters `\\x1b`, LF `\\n`.

Escaped: every C0 control (U+0000–U+001F, tab and line feed included: a message is one line),
DEL (U+007F), every C1 control (U+0080–U+009F: U+009B is an 8-bit CSI) and the Unicode
bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a
terminal shows. Backslashes are left as they are, so a literal `\\x1b` in a file looks the
same as an escaped ESC: the output is for people, and what a file holds is in the lake.
"""

from __future__ import annotations

import logging

_UNSAFE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: chr(code).encode("unicode_escape").decode("ascii") for code in _UNSAFE}


def safe_text(text: object) -> str:
    """`text` (made a string) with every terminal control character written as its escape."""
    return str(text).translate(_ESCAPES)


class SafeFormatter(logging.Formatter):
    """A log formatter whose message part goes through `safe_text`: a value from a file cannot
    forge a log line or drive the terminal. A traceback, appended after, keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return safe_text(super().formatMessage(record))


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Log lines to standard error, one line each, made safe: hostcap's from `level` up (INFO
    for the long-running commands: refreshes started and finished, watcher and schedule
    actions), other libraries' from warnings up. Without it, Python would print warnings raw."""
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(handlers=[handler])
    logging.getLogger("hostcap").setLevel(level)
