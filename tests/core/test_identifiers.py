from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput
from dermbill.core.identifiers import (
    is_valid_npi,
    npi_check_digit,
    npi_problem,
    validate_npi,
    validate_place_of_service,
    validate_taxonomy,
    validate_tin,
    validate_zip,
)


def test_cms_example_npi_passes_the_check_digit() -> None:
    # CMS's worked example: base 123456789 with prefix 80840 gives check digit 3.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "123456789", "12345678931", "3234567893", "12345678a3"])
def test_invalid_npis_are_refused(npi: str) -> None:
    assert not is_valid_npi(npi)
    with pytest.raises(InvalidInput, match="NPI"):
        validate_npi(npi)


def test_npi_error_names_the_expected_check_digit() -> None:
    with pytest.raises(InvalidInput, match="the last digit would be 3"):
        validate_npi("1234567890")


@given(st.integers(min_value=300_000_000, max_value=999_999_999))
def test_a_right_check_digit_on_a_number_not_starting_with_1_or_2_is_named_as_such(base: int) -> None:
    npi = f"{base}{npi_check_digit(str(base))}"
    assert npi_problem(npi) == "must start with 1 or 2"


def test_npi_problems_say_what_is_wrong() -> None:
    assert npi_problem("1234567893") is None
    assert npi_problem("1234567890") == "fails its check digit (the last digit would be 3)"
    assert npi_problem("12345678") == "must be exactly ten digits"


@given(st.integers(min_value=100_000_000, max_value=299_999_999), st.integers(min_value=0, max_value=9))
def test_exactly_one_check_digit_makes_an_npi_valid(base: int, digit: int) -> None:
    npi = f"{base}{digit}"
    assert is_valid_npi(npi) == (digit == npi_check_digit(str(base)))


@given(st.integers(min_value=100_000_000, max_value=299_999_999), st.integers(min_value=0, max_value=8))
def test_a_single_changed_digit_is_caught(base: int, position: int) -> None:
    npi = f"{base}{npi_check_digit(str(base))}"
    original = int(npi[position])
    changed = npi[:position] + str((original + 1) % 10) + npi[position + 1 :]
    assert not is_valid_npi(changed) or changed[0] not in "12"


def test_other_identifiers() -> None:
    assert validate_taxonomy("207N00000X") == "207N00000X"
    assert validate_tin("12-3456789") == "123456789"
    assert validate_zip("19103-1234") == "191031234"
    assert validate_place_of_service("11") == "11"
    for bad, check in [("207N00000", validate_taxonomy), ("12345678", validate_tin), ("1910", validate_zip),
                       ("1", validate_place_of_service)]:
        with pytest.raises(InvalidInput):
            check(bad)
