"""The goals table ``python -m benchmarks`` ends with: each measure, dermbill's figure, the reference measured in
the same run (or a fixed bound), their ratio and the goal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Goal:
    measure: str
    figure: str  # dermbill's, with its unit
    reference: str  # what it is compared with, measured in the same run, or the bound
    ratio: float | None  # figure / reference (higher is better), or None for a bound
    goal: str
    met: bool | None  # None: not measured (a note says why in the figure)

    def cells(self) -> tuple[str, ...]:
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f} x"
        met = "-" if self.met is None else ("met" if self.met else "NOT MET")
        return (self.measure, self.figure, self.reference, ratio, self.goal, met)


GOALS: list[Goal] = []  # filled by the benchmarks as they run


def note(goal: Goal) -> None:
    GOALS.append(goal)
