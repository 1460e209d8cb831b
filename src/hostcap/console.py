"""What the CLI prints, in one place: lines, tables and JSON.

Every text printed goes through `safe_text` (what came from a file cannot drive the terminal)
and is printed as plain text, never as Rich markup (a value `[link=…]` stays those characters).
Tables never cut an ID or a number: their columns do not wrap unless declared free text, and a
table wider than the console (a narrow terminal, or 80 columns under a pipe, systemd or CI) is
printed at the width it needs rather than truncated with `…`. `--json` output is for scripts:
ASCII only, so no control character reaches the terminal raw there either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from hostcap.terminal import safe_text

console = Console()
err_console = Console(stderr=True)


def say(text: object, *, style: str | None = None, err: bool = False) -> None:
    """One line (or more, wrapped), safe, as plain text."""
    (err_console if err else console).print(Text(safe_text(text), style=style or ""), soft_wrap=True)


def error(text: object, label: str = "error") -> None:
    """`error: <text>` on standard error."""
    err_console.print(Text.assemble((f"{label}:", "red"), " ", safe_text(text)), soft_wrap=True)


def new_table(title: object, *columns: str, numbers: Iterable[str] = (), wrap: Iterable[str] = ()) -> Table:
    """A table whose `numbers` columns are right-aligned; no column wraps except the `wrap` ones
    (free text), so IDs and numbers always show whole."""
    numbers, wrap = set(numbers), set(wrap)
    table = Table(title=Text(safe_text(title)))
    for name in columns:
        table.add_column(name, justify="right" if name in numbers else "left", no_wrap=name not in wrap)
    return table


def add_row(table: Table, *cells: object, style: str | None = None) -> None:
    """A row of safe plain-text cells; a list is a cell of one line per item."""
    table.add_row(*(Text("\n".join(map(safe_text, c)) if isinstance(c, list) else safe_text(c)) for c in cells), style=style)


def show(table: Table) -> None:
    """Print `table` with its unwrappable columns (and their headers) whole: at least as wide as
    they need, wider than the console if it must (a terminal then wraps the lines, but nothing
    is cut)."""
    unbounded = console.options.update_width(1 << 16)
    for column in table.columns:
        if column.no_wrap:
            cells = [column.header, *column.cells]
            column.min_width = max(Measurement.get(console, unbounded, cell).maximum for cell in cells)
    needed = Measurement.get(console, unbounded, table).minimum
    width = console.width
    try:
        console.width = max(width, needed)
        console.print(table)
    finally:
        console.width = width


def print_json(data: object) -> None:
    """`data` as indented JSON on standard output; ASCII only (DEL escaped too)."""
    text = json.dumps(data, indent=1, ensure_ascii=True).replace("\x7f", "\\u007f")
    console.file.write(text + "\n")
