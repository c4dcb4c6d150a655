"""The import page: a manager or administrator uploads a CSV file of one kind (practices, payers, providers,
locations, fee schedules, contracted rates, patients, coverages), optionally as a dry run or saving only the good
rows, and sees the report: every problem by line and column with what to do, and what was created, updated or
left unchanged. The same service as ``dermbill import`` (``services.csv_import``); each kind needs the permission
that changes those records by hand, and rows can only name the user's practices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.core.csv_import import KINDS, PERMISSION_OF, kinds_allowed
from dermbill.core.errors import InvalidInput
from dermbill.services.csv_import import ImportReport, decode_csv, import_csv
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render

MAX_UPLOAD = 20 * 1024 * 1024  # bytes: larger files go through ``dermbill import`` (or are split)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form said (shown again with the report)."""

    kind: str = ""
    practice: str = ""
    dry_run: bool = True
    skip_bad_rows: bool = False


def _page(request: Request, session: LiveSession, chosen: Choices, *, report: ImportReport | None = None,
          problem: str | None = None, status_code: int = 200) -> Response:
    kinds = kinds_allowed(session.user.roles)
    return render(request, "import.html", {
        "title": "Import", "kinds": [(name, KINDS[name].description) for name in kinds], "chosen": chosen,
        "practices": session.user.practices, "report": report, "problem": problem}, session=session,
        status_code=status_code)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/import")
    def form(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, Permission.IMPORT_DATA)
        return _page(request, session, Choices())

    @pages.post("/import")
    async def upload(request: Request, session: Csrf, kind: Annotated[str, Form(max_length=40)] = "",
                     practice: Annotated[str, Form(max_length=40)] = "",
                     dry_run: Annotated[str | None, Form(max_length=10)] = None,
                     skip_bad_rows: Annotated[str | None, Form(max_length=10)] = None,
                     file: UploadFile | None = None) -> Response:
        user = session.user
        page_permitted(user, Permission.IMPORT_DATA)
        chosen = Choices(kind, practice, dry_run is not None, skip_bad_rows is not None)
        if kind not in KINDS:
            return _page(request, session, chosen, problem="Choose what the file holds.", status_code=422)
        page_permitted(user, PERMISSION_OF[kind])
        if practice and practice not in user.practices:
            return _page(request, session, chosen, status_code=422,
                         problem=f"'{practice[:20]}' is not one of your practices.")
        data = await file.read(MAX_UPLOAD + 1) if file is not None else b""
        if not data:
            return _page(request, session, chosen, problem="Choose a CSV file to import.", status_code=422)
        if len(data) > MAX_UPLOAD:
            return _page(request, session, chosen, status_code=413, problem=(
                f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB: split it, or import it with the "
                "dermbill import command."))
        name = (file.filename if file is not None and file.filename else "upload.csv")[-120:]
        try:
            with origin(request):
                report = import_csv(database_of(request), kind, decode_csv(data), file_name=name,
                                    organization_id=user.organization_id, actor=user.email, as_of=today(),
                                    practice=practice or None, practice_ids=user.practice_ids,
                                    dry_run=chosen.dry_run, skip_bad_rows=chosen.skip_bad_rows)
        except InvalidInput as refused:
            return _page(request, session, chosen, problem=str(refused), status_code=422)
        return _page(request, session, chosen, report=report, status_code=422 if report.refused else 200)

    return pages
