"""Every command prints through the shared consoles; text from outside shows as written, never as Rich markup."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.table import Table

from dermbill.cli.common import err, out
from dermbill.cli.progress import StageProgress

HOSTILE = ("EFT[/x]1", "B0[/i]1", "[bold]not bold[/bold]", "[link=http://x]y[/link]")


@pytest.mark.parametrize("console", [out, err], ids=["out", "err"])
@pytest.mark.parametrize("text", HOSTILE)
def test_shared_consoles_print_outside_text_and_table_cells_literally(console: Console, text: str) -> None:
    table = Table(title=f"title {text}")
    table.add_column(f"heading {text}")
    table.add_row(f"cell {text}")

    with console.capture() as captured:
        console.print(f"line {text}")
        console.print(table)

    printed = captured.get()
    for where in ("line", "title", "heading", "cell"):
        assert f"{where} {text}" in printed


def test_progress_bar_descriptions_are_literal() -> None:
    console = Console(record=True, force_terminal=False, width=100)
    with StageProgress(console) as bars:
        bars.report("EFT[/x]1", 1, 2)
    assert "EFT[/x]1" in console.export_text()
