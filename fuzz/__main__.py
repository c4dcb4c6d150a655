"""``python -m fuzz``: run the fuzz targets and print what they found; exit 1 on any crash or broken invariant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fuzz.runner import Limits, Tally, run_target
from fuzz.seeds import NoSeeds
from fuzz.targets import CRASHES, TARGETS, EraSettings, EraTarget, Target, scratch_folder


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--runs", type=int, help="inputs per target (default: run each for --seconds)")
    parser.add_argument("--era-runs", type=int, help="inputs for the era target (default: --runs)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time per target without a run count")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--patients", type=int, default=500, help="patients in the era target's demo")
    parser.add_argument("--check-every", type=int, default=500, help="era: check the invariants every N inputs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    names = list(TARGETS) if args.target == "all" else [args.target]
    tallies: list[Tally] = []
    with scratch_folder() as folder:
        for name in names:
            scratch = Path(folder) / name
            scratch.mkdir()
            target: Target = EraTarget(scratch, EraSettings(patients=args.patients, check_every=args.check_every,
                                                    progress=progress)) \
                if name == "era" else TARGETS[name](scratch)
            runs = args.era_runs if name == "era" and args.era_runs is not None else args.runs
            try:
                tallies.append(run_target(target, Limits(runs, args.seconds), args.seed))
            except NoSeeds as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            finally:
                target.close()
            print(report_line(tallies[-1]), flush=True)
    print(report(tallies))
    return 1 if any(t.failed for t in tallies) else 0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report_line(t: Tally) -> str:
    return f"{t.target}: {t.inputs} inputs from {t.seeds} seeds in {t.seconds:.1f} s (setup {t.setup_seconds:.1f} s)"


def report(tallies: list[Tally]) -> str:
    rows = [("target", "seeds", "inputs", "accepted", "typed errors", "crashes", "seconds")]
    rows += [(t.target, str(t.seeds), str(t.inputs), str(t.accepted), str(t.typed), str(t.crashes), f"{t.seconds:.1f}")
             for t in tallies]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                    strict=True)))
             for row in rows]
    for t in tallies:
        for kind, count in t.crash_kinds.most_common():
            lines.append(f"{t.target} crash x{count}: {kind}")
        if t.outcomes:
            lines.append(f"{t.target} outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(t.outcomes.items())))
        for result in t.invariants:
            first = f" (first broken after {t.broken_at[result.name]} inputs)" if result.name in t.broken_at else ""
            lines.append(f"{t.target} invariant {'HELD' if result.held else 'BROKEN'}: {result.name}{first}: "
                         f"{result.detail}")
    if any(t.crashes for t in tallies):
        lines.append(f"crash inputs and tracebacks in {CRASHES}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
