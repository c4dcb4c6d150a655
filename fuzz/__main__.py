"""Mutate real X12 files for a while and check that every reader fails only with a typed error.

Seeds are the public samples in ../shared/x12-samples (and a synthetic 835 when they are absent).
Mutations: flip, insert or delete bytes, swap a delimiter, cut the file, duplicate a segment. Any
exception other than ``InvalidInput`` is a bug: it is written to fuzz/crashes/ with the input.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from pathlib import Path

from dermbill.core.errors import InvalidInput
from dermbill.x12.parse import parse_text

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "x12-samples"
CRASHES = Path(__file__).resolve().parent / "crashes"
FALLBACK = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260302*1200*^*00501*"
            b"000000001*0*T*:~GS*HP*A*B*20260302*1200*1*X*005010X221A1~ST*835*0001~BPR*I*10*C*ACH~TRN*1*T*1~LX*1~"
            b"CLP*X*1*10*10*0*MB*ICN~SVC*HC:11102*10*10**1~SE*8*0001~GE*1*1~IEA*1*000000001~")


def mutate(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buffer:
            break
        choice = rng.randrange(6)
        at = rng.randrange(len(buffer))
        if choice == 0:
            buffer[at] = rng.randrange(256)
        elif choice == 1:
            buffer[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif choice == 2:
            del buffer[at:at + rng.randint(1, 16)]
        elif choice == 3:
            buffer = buffer.replace(b"*", rng.choice([b"|", b"~", b":", b""]), rng.randint(1, 50))
        elif choice == 4:
            buffer = buffer[:at]
        else:
            end = buffer.find(b"~", at)
            if end > at:
                buffer[end:end] = buffer[at:end + 1]
    return bytes(buffer)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seeds = [p.read_bytes() for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md"] or [FALLBACK]
    rng = random.Random(args.seed)
    runs = typed = crashes = 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        data = mutate(rng.choice(seeds), rng)
        runs += 1
        try:
            parse_text(data)
        except InvalidInput:
            typed += 1
        except Exception:  # a crash is what we are looking for
            crashes += 1
            CRASHES.mkdir(exist_ok=True)
            (CRASHES / f"crash-{runs}.x12").write_bytes(data)
            (CRASHES / f"crash-{runs}.txt").write_text(traceback.format_exc())
    print(f"{runs} mutated files in {args.seconds:.0f} s: {runs - typed - crashes} parsed, {typed} typed errors, "
          f"{crashes} crashes" + (f" (inputs in {CRASHES})" if crashes else ""))
    raise SystemExit(1 if crashes else 0)


if __name__ == "__main__":
    main()
