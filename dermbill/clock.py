"""The one place dermbill reads the clock: today's date and the current UTC time.

The core never reads the clock (it is given ``as_of``/``now``); adapters and commands that need "today" ask
here, and nowhere else (a test walks the package's source to keep it so).

``DERMBILL_TODAY=YYYY-MM-DD`` in the environment makes that day "today" (the time of day still runs): to
reproduce what a command did on another day, and for the test suite to prove that it passes whatever the date
(CI runs it a second time with the clock more than a year ahead).
"""

from __future__ import annotations

import datetime
import os

from dermbill.core.errors import InvalidInput

TODAY_VARIABLE = "DERMBILL_TODAY"


def _set_today() -> datetime.date | None:
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{TODAY_VARIABLE}={value!r} is not a date: give YYYY-MM-DD, or unset it to use "
                           "today's date") from None


def utc_now() -> datetime.datetime:
    """The current time in UTC (on the day ``DERMBILL_TODAY`` names, when set)."""
    now = datetime.datetime.now(datetime.UTC)
    day = _set_today()
    return now if day is None else datetime.datetime.combine(day, now.timetz())


def today() -> datetime.date:
    """Today's date where dermbill runs (``DERMBILL_TODAY`` when set)."""
    day = _set_today()
    return datetime.date.today() if day is None else day
