"""The statement notice (no PHI, the code in its headers) and reading the bounces that come back for it."""

from __future__ import annotations

import pytest
from bounce_samples import delivery_report, notice_copy

from dermbill.core.errors import InvalidInput
from dermbill.core.statement_notice import (
    Bounce,
    NotABounce,
    is_deliverable_address,
    is_permanent_refusal,
    notice_message,
    read_bounce,
    statement_code_of,
)


def test_the_notice_names_the_code_in_its_headers_and_refuses_an_address_that_could_inject_headers() -> None:
    notice = notice_copy("K7M2Q9TX4P")
    assert notice["X-Dermbill-Statement"] == "K7M2Q9TX4P"
    assert statement_code_of(str(notice["Message-ID"])) == "K7M2Q9TX4P"
    assert statement_code_of(" k7m2q9tx4p ") == "k7m2q9tx4p" and statement_code_of("hello there") is None
    for address in ("a@b.test\nBcc: x@y.test", "two@a.test, more@b.test", "nodomain@", "jos\u00e9@example.test"):
        assert not is_deliverable_address(address)
        with pytest.raises(InvalidInput, match="e-mail address"):
            notice_message(code="K7M2Q9TX4P", practice_name="P", sender="s@p.test", recipient=address,
                           base_url="https://b.test", unique="1")
    assert is_permanent_refusal(550) and not is_permanent_refusal(451)


def test_only_a_failed_delivery_report_about_our_notice_is_a_bounce() -> None:
    original = notice_copy("K7M2Q9TX4P")
    assert read_bounce(delivery_report(original)) == Bounce("K7M2Q9TX4P", "5.1.1")
    assert read_bounce(delivery_report(original, headers_only=True, status="5.2.2")) == Bounce("K7M2Q9TX4P", "5.2.2")
    delayed = read_bounce(delivery_report(original, action="delayed", status="4.4.1"))
    assert isinstance(delayed, NotABounce) and "delayed" in delayed.reason
    del original["X-Dermbill-Statement"]  # the Message-ID still names it
    assert read_bounce(delivery_report(original)) == Bounce("K7M2Q9TX4P", "5.1.1")
    del original["Message-ID"]
    assert isinstance(read_bounce(delivery_report(original)), NotABounce)
    assert isinstance(read_bounce(b"Subject: out of office\n\nBack Monday.\n"), NotABounce)
