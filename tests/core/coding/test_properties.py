"""Properties of the engine over generated encounters and sizes."""

from __future__ import annotations

import datetime
import random
from typing import Any

from encounters import codes, encounter, excision, lesion
from hypothesis import given, settings
from hypothesis import strategies as st

from dermbill.core.coding.tables import CodingTables
from dermbill.synthetic.encounters import ENCOUNTER_KINDS, document_encounter

EXCISION_CODES = ["11600", "11601", "11602", "11603", "11604", "11606"]
documents = st.builds(
    lambda seed, kind, payer, age, days: document_encounter(
        random.Random(seed), date_of_service=datetime.date(2025, 10, 1) + datetime.timedelta(days=days), age=age,
        sex="F", payer=payer, kind=kind),
    st.integers(0, 2**32), st.sampled_from(ENCOUNTER_KINDS), st.sampled_from(["medicare", "commercial", "medicaid"]),
    st.integers(18, 95), st.integers(0, 364),
)
tenths = st.integers(min_value=1, max_value=80).map(lambda n: n / 10)


@settings(max_examples=200, deadline=None)
@given(small=tenths, extra=tenths, margin=st.sampled_from([0.1, 0.2, 0.3, 0.4, 0.5]))
def test_a_larger_excised_diameter_never_yields_a_smaller_bin(code: Any, small: float, extra: float,
                                                              margin: float) -> None:
    def bin_of(diameter: float) -> int:
        doc = encounter(lesion("A", "back_upper", "bcc", excision(margin), diameter_cm=diameter, pathology="bcc"))
        return EXCISION_CODES.index(codes(code(doc))[0][0])

    assert bin_of(small) <= bin_of(round(small + extra, 1))


@settings(max_examples=150, deadline=None)
@given(doc=documents, seed=st.integers(0, 2**16))
def test_listing_lesions_in_another_order_gives_the_same_codes(code: Any, doc: dict[str, Any], seed: int) -> None:
    shuffled = dict(doc, lesions=list(doc["lesions"]))
    random.Random(seed).shuffle(shuffled["lesions"])
    first, second = code(doc), code(shuffled)
    assert codes(first) == codes(second)
    assert sorted(first.diagnoses) == sorted(second.diagnoses)
    assert sorted(h.code for h in first.holds) == sorted(h.code for h in second.holds)


@settings(max_examples=300, deadline=None)
@given(doc=documents)
def test_every_code_is_in_force_and_every_diagnosis_billable_on_the_date_of_service(
    code: Any, tables: CodingTables, doc: dict[str, Any]
) -> None:
    result = code(doc)
    day = datetime.date.fromisoformat(doc["date_of_service"])
    release, _ = tables.icd10.release_for(day)
    for line in result.lines:
        assert tables.code_set.in_force(line.code, day) is not None, line.code
        assert line.units >= 1 and line.explanation
        assert set(line.diagnoses) <= set(result.diagnoses)
        assert 1 <= len(line.diagnoses) <= 4, line
    assert all(code_ in release.billable for code_ in result.diagnoses)
    assert not ({"17004"} <= {line.code for line in result.lines} and {"17000", "17003"} & {
        line.code for line in result.lines})


@settings(max_examples=100, deadline=None)
@given(doc=documents, days=st.integers(-20000, 20000))
def test_codes_never_leave_their_effective_dates(code: Any, tables: CodingTables, doc: dict[str, Any],
                                                 days: int) -> None:
    day = datetime.date(2019, 1, 1) + datetime.timedelta(days=days)
    doc = dict(doc, date_of_service=day.isoformat(), prior_procedures=[])
    for line in code(doc).lines:
        assert tables.code_set.in_force(line.code, day) is not None
        assert not (line.code in ("11100", "11101") and day >= datetime.date(2019, 1, 1))
        assert not (line.code in ("11102", "11104", "11106") and day < datetime.date(2019, 1, 1))
