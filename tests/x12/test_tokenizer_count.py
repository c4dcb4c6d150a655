"""``count_sets``: the transaction sets of a kind a file holds, told from its bytes (a progress total)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermbill.x12.tokenizer import CHUNK, count_sets

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:~"


@pytest.mark.parametrize("between", ["", "\n", "\r\n"])
def test_the_835s_of_a_file_are_counted_across_reads(tmp_path: Path, between: str) -> None:
    body = "".join(f"ST*835*{n:04d}~{between}BPR*I*1*C*ACH~{between}" + "N3*" + "X" * (CHUNK // 7) + f"~{between}"
                   f"SE*3*{n:04d}~{between}ST*277*{n:04d}~{between}SE*1*{n:04d}~{between}" for n in range(9))
    path = tmp_path / "many.835"
    path.write_text(f"{ISA}{between}GS*HP*S*R*20260101*1200*1*X*005010X221A1~{between}{body}GE*18*1~IEA*1*1~")

    assert count_sets(path, "835") == 9
    assert count_sets(path, "277") == 9
    assert count_sets(path, "837") == 0


def test_a_file_that_is_not_x12_has_no_count(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Notes of the visit, not X12")
    assert count_sets(path, "835") is None
