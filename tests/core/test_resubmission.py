"""The fingerprint a rejection keeps of a claim: equal content, equal digest; any change, a new one."""

from __future__ import annotations

import dataclasses
import datetime
from enum import Enum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.money import Money
from dermbill.core.resubmission import RejectedBefore, fingerprint


class Order(Enum):
    PRIMARY = "P"


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    member_id: str
    born: datetime.date
    charge: Money
    order: Order
    modifiers: tuple[str, ...]
    extra: dict[str, object] = dataclasses.field(default_factory=dict)


SENT = Sent("ABC123", datetime.date(1950, 1, 2), Money(12540), Order.PRIMARY, ("XS",))


def test_equal_content_gives_an_equal_fingerprint_whatever_the_key_order() -> None:
    assert fingerprint(SENT) == fingerprint(dataclasses.replace(SENT))
    assert fingerprint({"a": 1, "b": [SENT]}) == fingerprint({"b": [SENT], "a": 1})
    assert len(fingerprint(SENT)) == 64


@pytest.mark.parametrize("change", [
    {"member_id": "ABC124"}, {"born": datetime.date(1950, 1, 3)}, {"charge": Money(12541)},
    {"modifiers": ("59",)}, {"modifiers": ()}, {"extra": {"prior_authorization": "A1"}},
])
def test_any_changed_value_changes_the_fingerprint(change: dict[str, object]) -> None:
    assert fingerprint(dataclasses.replace(SENT, **change)) != fingerprint(SENT)  # type: ignore[arg-type]


@given(st.text(max_size=12), st.text(max_size=12))
def test_two_member_ids_share_a_fingerprint_only_when_equal(first: str, second: str) -> None:
    same = fingerprint(dataclasses.replace(SENT, member_id=first)) == \
        fingerprint(dataclasses.replace(SENT, member_id=second))
    assert same == (first == second)


def test_what_cannot_be_fingerprinted_is_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        fingerprint({"charge": 125.4})


def test_a_rejection_is_unchanged_while_the_fingerprints_agree() -> None:
    then = fingerprint(SENT)
    assert RejectedBefore("member ID: NOT FOUND", "check the card", then, then).unchanged
    assert not RejectedBefore("member ID: NOT FOUND", "check the card", then,
                              fingerprint(dataclasses.replace(SENT, member_id="ABC124"))).unchanged
