"""The coder's "read a note" panel: paste the provider's note, see the encounter the reader made of it with every
fact highlighted where it was read, the codes, the documentation gaps as provider queries and the mentions not coded
(negated, planned, historical ...); correct the encounter (the same JSON format the engine and the entry form use)
and code it again. Nothing is stored and nothing leaves the server: the reader runs here, with no external service.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dermbill.core.access import Permission
from dermbill.core.coding.encounter import PAYERS
from dermbill.core.errors import InvalidInput
from dermbill.services.encounter_coding import preview
from dermbill.web.pages.common import Csrf, PageSession, page_permitted, render

MAX_NOTE = 20_000  # characters: a long procedure note is 5,000
MAX_JSON = 60_000


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the note's text; ``field`` names the fact read from it (None: plain text), ``ignored`` why a
    mention was not coded."""

    text: str
    field: str | None = None
    ignored: str | None = None


def segments(text: str, facts: Sequence[Any], ignored: Sequence[Any]) -> list[Segment]:
    """The note cut at the facts' and ignored mentions' spans, for highlighting; where spans overlap the earlier
    one wins (the text is never repeated or lost: the segments join back to the note)."""
    spans = sorted([(f.start, f.end, f.field, None) for f in facts] +
                   [(i.start, i.end, None, i.reason) for i in ignored], key=lambda s: (s[0], -s[1]))
    out: list[Segment] = []
    at = 0
    for start, end, field, reason in spans:
        if start < at or end <= start or end > len(text):
            continue
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], field, reason))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def _header(form: Any) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:20] for name in ("date_of_service", "payer", "age", "sex")}


def _overrides(header: dict[str, str]) -> dict[str, Any]:
    """The header fields the coder filled in; they override what the note says."""
    out: dict[str, Any] = {}
    if header["date_of_service"]:
        try:
            out["date_of_service"] = datetime.date.fromisoformat(header["date_of_service"])
        except ValueError:
            raise InvalidInput("Date of service: give a date (YYYY-MM-DD), or leave it empty to read it from the "
                               "note") from None
    if header["payer"]:
        if header["payer"] not in PAYERS:
            raise InvalidInput(f"Payer: choose one of {', '.join(PAYERS)}")
        out["payer"] = header["payer"]
    if header["age"]:
        if not header["age"].isdigit() or int(header["age"]) > 120:
            raise InvalidInput("Age: give the age in whole years (0-120), or leave it empty")
        out["age"] = int(header["age"])
    if header["sex"]:
        if header["sex"] not in ("F", "M", "U"):
            raise InvalidInput("Sex: F, M or U")
        out["sex"] = header["sex"]
    return out


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def page(request: Request, session: Any, *, header: dict[str, str], note: str = "", result: Any = None,
             encounter_json: str = "", coded: Any = None, problem: str | None = None,
             status_code: int = 200) -> Response:
        reading = result.reading if result is not None else None
        return render(request, "coding_note.html", {
            "title": "Read a note", "header": header, "note": note, "payers": PAYERS, "reading": reading,
            "segments": segments(note, reading.facts, reading.ignored) if reading else [],
            "encounter_json": encounter_json, "coded": coded, "problem": problem, "can_code": True,
            "editable": False, "max_note": MAX_NOTE}, session=session, status_code=status_code)

    @pages.get("/coding/note")
    def blank(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, Permission.CODE_ENCOUNTERS)
        return page(request, session, header={"date_of_service": "", "payer": "", "age": "", "sex": ""})

    @pages.post("/coding/note")
    async def read(request: Request, session: Csrf) -> Response:
        page_permitted(session.user, Permission.CODE_ENCOUNTERS)
        form = await request.form()
        header = _header(form)
        note = str(form.get("note") or "")
        edited = str(form.get("encounter_json") or "")
        if form.get("action") == "recode":
            return await _recode(request, session, header, note, edited)
        try:
            if not note.strip():
                raise InvalidInput("Paste the provider's note first.")
            if len(note) > MAX_NOTE:
                raise InvalidInput(f"The note is {len(note):,} characters: paste one visit's note (at most "
                                   f"{MAX_NOTE:,}).")
            overrides = _overrides(header)
        except InvalidInput as refused:
            return page(request, session, header=header, note=note[:MAX_NOTE], problem=str(refused),
                        status_code=422)
        from dermbill.notes import code_note

        result = await run_in_threadpool(code_note, note, **overrides)
        encounter = result.reading.encounter
        return page(request, session, header=header, note=note, result=result,
                    encounter_json=json.dumps(encounter, indent=2), coded=preview(encounter))

    async def _recode(request: Request, session: Any, header: dict[str, str], note: str, edited: str) -> Response:
        problem = None
        try:
            if len(edited) > MAX_JSON:
                raise InvalidInput("The encounter is too long to code here.")
            document = json.loads(edited)
        except json.JSONDecodeError as exc:
            problem = f"The encounter is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        except InvalidInput as refused:
            problem = str(refused)
        if problem:
            return page(request, session, header=header, note=note[:MAX_NOTE], encounter_json=edited[:MAX_JSON],
                        problem=problem, status_code=422)
        return page(request, session, header=header, note=note[:MAX_NOTE], encounter_json=edited,
                    coded=await run_in_threadpool(preview, document))

    return pages
