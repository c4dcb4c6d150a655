"""Progress bars on stderr that appear only once there is work to show (so an early error stays one line)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class StageProgress:
    """``with StageProgress(console) as bars: service(progress=bars.report)``: one bar per stage."""

    def __init__(self, console: Console) -> None:
        columns = (
            TextColumn("{task.description:<16}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        )
        self._progress = Progress(*columns, console=console)
        self._tasks: dict[str, TaskID] = {}

    def report(self, stage: str, done: int, total: int) -> None:
        if not self._tasks:
            self._progress.start()
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._tasks:
            self._progress.stop()
