import dataclasses

import pytest
from statement_samples import line, sample_document

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.statement_document import StatementDocument


def test_a_document_survives_its_json_exactly():
    document = sample_document(credit="5.00")
    assert StatementDocument.from_json(document.to_json()) == document
    assert document.balance_due == Money.parse("104.50")


def test_a_line_whose_parts_do_not_add_up_to_its_charge_is_refused():
    with pytest.raises(InvalidInput, match="add up to"):
        line("Skin biopsy (11102)", "150.00", "80.00", "40.00", "0.00", "20.00")


def test_a_balance_due_other_than_the_lines_less_the_credit_is_refused():
    with pytest.raises(InvalidInput, match="not the balance due"):
        dataclasses.replace(sample_document(), balance_due=Money.parse("200.00"))


def test_a_kept_document_missing_a_field_is_refused_in_words():
    data = sample_document().to_json()
    del data["visits"][0]["lines"][0]["charged"]
    with pytest.raises(InvalidInput, match="cannot be read"):
        StatementDocument.from_json(data)
