"""The payment poster's workspace: upload an 835, read a remittance and each claim's EOB, match a held claim payment
to a claim by hand, release or close a quarantined 835, refund an overpayment, post a paper EOB or a patient check
line by line, and reconcile the day's cash with the bank deposit.

Each handler parses, calls one service with the user's practices, and renders: a record of another practice is
404, a refused change shows the page again with the service's words (422), a change redirects with what it did.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from dermbill.clock import today
from dermbill.core.access import Permission, allowed
from dermbill.core.claim_search import ClaimSearch
from dermbill.core.errors import DermbillError, InvalidFields, InvalidInput, InvalidTransition, NotFound, Problem
from dermbill.services.claim_search import ClaimListItem, search_claims
from dermbill.services.deposits import day_of_cash, deposit_of, match_receipts, practice_choices, record_deposit
from dermbill.services.era_posting import (
    RemittanceOutcome,
    close_remittance,
    held_claim_payment,
    match_held_payment,
    post_era_upload,
    release_remittance,
)
from dermbill.services.era_uploads import post_upload_as_job
from dermbill.services.manual_posting import PaperLine, claim_to_post, post_paper_eob, post_patient_check
from dermbill.services.overpayments import refund_overpayment
from dermbill.services.remittance_views import claim_eob, held_remittances, remittance_view
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.api_payments import overpayments_for
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with
from dermbill.web.pages.forms import FormState, refused

MAX_UPLOAD = 50 * 1024 * 1024  # an 835 larger than this is posted from the command line
# On PostgreSQL an 835 larger than this is posted by a worker (a ``post_835`` job, progress on /jobs), not while the
# browser waits; on SQLite jobs run in the asking process, so it is posted in the request as a smaller one is.
POST_AS_JOB_BYTES = 2 * 1024 * 1024
ADJUSTMENTS_PER_LINE = 3
Text = Annotated[str, Form()]


def _id(text: str, what: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise HTTPException(status_code=404, detail=f"no {what} {text[:40]} among your practices'")
    return int(text)


def _missing(error: NotFound) -> HTTPException:
    return HTTPException(status_code=404, detail=str(error))


def said(outcome: RemittanceOutcome) -> str:
    """One sentence of what posting an 835 did."""
    text = f"Remittance {outcome.trace_number} from {outcome.payer} (${outcome.payment}): {outcome.status}"
    if outcome.practice:
        text += f" for {outcome.practice}"
    if outcome.status == "posted":
        text += f"; {outcome.claims_posted} claim payment(s) posted, ${outcome.paid} paid"
        if outcome.unmatched:
            text += f"; {len(outcome.unmatched)} held for a person (the unmatched queue)"
        if outcome.overpaid:
            text += f"; {len(outcome.overpaid)} paid twice (the overpayment queue)"
    elif outcome.status == "already posted":
        text += ": this payment was posted before from the same 835; nothing was posted again"
    if outcome.problems:
        text += ". " + "; ".join(outcome.problems[:5])
    return text + "."


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.post("/payments/upload")
    async def upload(request: Request, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        form = await request.form()
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            return redirect_with(request, "/payments", "Choose an 835 file to upload, then press Upload and post.")
        data = await sent.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return redirect_with(request, "/payments", f"{sent.filename} is larger than 50 MB: post it with "
                                                       "`dermbill era post` instead.")
        name = sent.filename.rsplit("/", 1)[-1][:200]
        database = database_of(request)
        try:
            with origin(request):
                if database.backend == "postgresql" and len(data) > POST_AS_JOB_BYTES:
                    job = post_upload_as_job(database, Path(request.app.state.upload_dir), name, data,
                                             requested_by=user.email, organization_id=user.organization_id,
                                             practice_ids=user.practice_ids)
                    return redirect_with(request, "/payments", f"{name} ({len(data) // (1024 * 1024)} MB) is posted "
                                                               f"in the background as job {job}: its progress is on "
                                                               "Background jobs (/jobs).")
                outcomes = post_era_upload(database, name, data, actor=user.email,
                                           organization_id=user.organization_id, practice_ids=user.practice_ids)
        except (InvalidInput, InvalidTransition) as bad:
            return redirect_with(request, "/payments", f"{name} was not posted: {bad}")
        return redirect_with(request, "/payments", " ".join(said(outcome) for outcome in outcomes))

    @pages.get("/payments/remittances/{remittance_id}")
    def remittance(request: Request, remittance_id: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_REMITTANCES)
        try:
            with origin(request):
                view = remittance_view(database_of(request), user.practice_ids, _id(remittance_id, "remittance"),
                                       actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        response = render(request, "remittance.html", {
            "title": f"Remittance {view.trace_number}", "remittance": view, "message": flashed(request),
            "can_post": allowed(user.roles, Permission.POST_PAYMENTS)}, session=session)
        return forget(response, request)

    @pages.get("/payments/remittances/{remittance_id}/claims/{payment_index}")
    def eob(request: Request, remittance_id: str, payment_index: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_REMITTANCES)
        try:
            with origin(request):
                view, claim = claim_eob(database_of(request), user.practice_ids, _id(remittance_id, "remittance"),
                                        _id(payment_index, "claim payment") - 1, actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        return render(request, "eob.html", {"title": f"EOB {claim.claim_number}", "remittance": view,
                                            "claim": claim}, session=session)

    @pages.post("/payments/remittances/{remittance_id}/release")
    def release(request: Request, remittance_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        number = _id(remittance_id, "remittance")
        try:
            with origin(request):
                outcome = release_remittance(database_of(request), user.practice_ids, number, actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except DermbillError as bad:
            return redirect_with(request, "/payments/quarantine", f"Not released: {bad}")
        return redirect_with(request, f"/payments/remittances/{number}", "Released: " + said(outcome))

    @pages.post("/payments/remittances/{remittance_id}/close")
    def close(request: Request, remittance_id: str, session: Csrf, note: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        try:
            with origin(request):
                close_remittance(database_of(request), user.practice_ids, _id(remittance_id, "remittance"), note,
                                 actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except DermbillError as bad:
            return redirect_with(request, "/payments/quarantine", f"Not closed: {bad}")
        return redirect_with(request, "/payments/quarantine", "Closed; it left the quarantine with your note.")

    @pages.get("/payments/quarantine")
    def quarantine(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_REMITTANCES)
        database = database_of(request)
        with origin(request):
            held = held_remittances(database, user.practice_ids, actor=user.email)
        response = render(request, "quarantine.html", {
            "title": "Quarantine and overpayments", "held": held, "message": flashed(request),
            "overpayments": overpayments_for(database, user, origin(request)),
            "can_post": allowed(user.roles, Permission.POST_PAYMENTS),
            "can_refund": allowed(user.roles, Permission.ISSUE_REFUNDS)}, session=session)
        return forget(response, request)

    @pages.post("/payments/overpayments/{overpayment_id}/refund")
    def refund(request: Request, overpayment_id: str, session: Csrf, reference: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.ISSUE_REFUNDS)
        try:
            with origin(request):
                amount = refund_overpayment(database_of(request), _id(overpayment_id, "overpayment"), reference,
                                            actor=user.email, today=today(), practice_ids=user.practice_ids)
        except NotFound as missing:
            raise _missing(missing) from None
        except DermbillError as bad:
            return redirect_with(request, "/payments/quarantine", f"Not refunded: {bad}")
        return redirect_with(request, "/payments/quarantine",
                             f"Refund {reference.strip()} of ${amount} recorded; the overpayment is closed.")

    def _held_page(request: Request, session: LiveSession, unmatched_id: str, q: str, claim: str,
                   problem: str = "", status_code: int = 200) -> Response:
        user = session.user
        database = database_of(request)
        number = _id(unmatched_id, "held claim payment")
        try:
            with origin(request):
                item, remittance_row, payment = held_claim_payment(database, user.practice_ids, number,
                                                                   actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except InvalidInput as unreadable:
            raise HTTPException(status_code=422, detail=str(unreadable)) from None
        found: list[ClaimListItem] = []
        chosen = None
        with origin(request):
            try:
                if q.strip():
                    found = search_claims(database, [item.practice_id], ClaimSearch(text=q.strip()), limit=10,
                                          after=None, actor=user.email)
                if claim.strip():
                    chosen = claim_to_post(database, [item.practice_id], claim, actor=user.email)
            except DermbillError as unclear:
                problem, status_code = problem or str(unclear), 422
        return render(request, "unmatched.html", {
            "title": f"Match claim payment {item.patient_control_number}", "item": item,
            "remittance": remittance_row, "payment": payment, "q": q, "found": found, "chosen": chosen,
            "problem": problem, "can_post": allowed(user.roles, Permission.POST_PAYMENTS)},
            session=session, status_code=status_code)

    @pages.get("/payments/unmatched/{unmatched_id}")
    def held(request: Request, unmatched_id: str, session: PageSession,
             q: Annotated[str, Query(max_length=100)] = "",
             claim: Annotated[str, Query(max_length=40)] = "") -> Response:
        page_permitted(session.user, Permission.VIEW_REMITTANCES)
        return _held_page(request, session, unmatched_id, q, claim)

    @pages.post("/payments/unmatched/{unmatched_id}/match")
    async def match(request: Request, unmatched_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        form = await request.form()
        claim = str(form.get("claim_number") or "")
        chosen = [str(form.get(f"line_{n}") or "") for n in range(1, 51) if f"line_{n}" in form]
        numbers = [int(text) for text in chosen if text.isdigit()]
        try:
            with origin(request):
                matched = match_held_payment(database_of(request), user.practice_ids,
                                             _id(unmatched_id, "held claim payment"), claim,
                                             numbers if len(numbers) == len(chosen) and numbers else None,
                                             actor=user.email)
        except NotFound as missing:
            if "held claim payment" in str(missing):
                raise _missing(missing) from None
            return _held_page(request, session, unmatched_id, "", "", str(missing), 422)
        except (InvalidInput, InvalidTransition) as bad:
            return _held_page(request, session, unmatched_id, "", claim if isinstance(bad, InvalidInput) else "",
                              str(bad), 422)
        return redirect_with(request, "/payments", f"Posted the held payment to claim {matched.claim_number} "
                                                   f"({matched.lines}); ${matched.paid} applied; the claim is now "
                                                   f"{matched.status.replace('_', ' ')}.")

    def _posting_page(request: Request, session: LiveSession, claim: str, *, eob_form: FormState | None = None,
                      check_form: FormState | None = None, status_code: int = 200) -> Response:
        user = session.user
        chosen = None
        problem = ""
        if claim.strip():
            try:
                with origin(request):
                    chosen = claim_to_post(database_of(request), user.practice_ids, claim, actor=user.email)
            except NotFound as missing:
                problem, status_code = str(missing), 404
        response = render(request, "manual_posting.html", {
            "title": "Post a paper EOB or a patient check", "claim": claim, "chosen": chosen, "problem": problem,
            "eob_form": eob_form or FormState({"paid_on": today().isoformat()}), "check_form": check_form or
            FormState({}), "adjustments": range(1, ADJUSTMENTS_PER_LINE + 1), "message": flashed(request)},
            session=session, status_code=status_code)
        return forget(response, request)

    @pages.get("/payments/post")
    def posting(request: Request, session: PageSession,
                claim: Annotated[str, Query(max_length=40)] = "") -> Response:
        page_permitted(session.user, Permission.POST_PAYMENTS)
        return _posting_page(request, session, claim)

    @pages.post("/payments/post/{claim_number}/eob")
    async def paper_eob(request: Request, claim_number: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
        lines = [PaperLine(n, form.get(f"l{n}_allowed", ""), form.get(f"l{n}_paid", ""),
                           [(form.get(f"l{n}_a{a}_group", ""), form.get(f"l{n}_a{a}_carc", ""),
                             form.get(f"l{n}_a{a}_amount", "")) for a in range(1, ADJUSTMENTS_PER_LINE + 1)],
                           form.get(f"l{n}_remarks", ""))
                 for n in range(1, 51) if f"l{n}_paid" in form]
        paid_on = None
        try:
            paid_on = datetime.date.fromisoformat(form.get("paid_on", "").strip()) if form.get("paid_on") else None
        except ValueError:
            paid_on = None
        try:
            with origin(request):
                outcome = post_paper_eob(database_of(request), user.practice_ids, claim_number,
                                         check_number=form.get("check_number", ""), paid_on=paid_on,
                                         payer_claim_number=form.get("payer_claim_number", ""), lines=lines,
                                         actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except InvalidFields as bad:
            fields = tuple(sorted({p.field for p in bad.problems}))
            state = refused(form, bad, fields)
            return _posting_page(request, session, claim_number, eob_form=state, status_code=422)
        except InvalidInput as bad:
            return _posting_page(request, session, claim_number, eob_form=FormState(form, general=[str(bad)]),
                                 status_code=422)
        target = f"/payments/remittances/{outcome.remittance_id}" if outcome.remittance_id else \
            f"/payments/post?claim={claim_number}"
        return redirect_with(request, target, "Paper EOB: " + said(outcome))

    @pages.post("/payments/post/{claim_number}/patient-check")
    async def patient_check(request: Request, claim_number: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
        amounts = {n: form[f"p{n}_amount"] for n in range(1, 51) if form.get(f"p{n}_amount", "").strip()}
        try:
            with origin(request):
                posted = post_patient_check(database_of(request), user.practice_ids, claim_number,
                                            check_number=form.get("check_number", ""), amounts=amounts,
                                            actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except InvalidInput as bad:
            names = (*(f"p{n}_amount" for n in range(1, 51)), "check_number", "amounts")
            state = refused(form, _by_field(bad), names)
            return _posting_page(request, session, claim_number, check_form=state, status_code=422)
        message = (f"Patient check posted: ${posted.amount} on claim {claim_number}." if posted.posted else
                   f"This check was posted before (${posted.amount}); nothing was posted again.")
        return redirect_with(request, f"/payments/post?claim={claim_number}", message)

    @pages.get("/payments/deposits")
    def deposits(request: Request, session: PageSession,
                 day: Annotated[str, Query(max_length=10)] = "") -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        return _deposits_page(request, session, day)

    def _deposits_page(request: Request, session: LiveSession, day: str, form: FormState | None = None,
                       status_code: int = 200) -> Response:
        user = session.user
        try:
            when = datetime.date.fromisoformat(day) if day else today()
        except ValueError:
            when = today()
        database = database_of(request)
        with origin(request):
            cash = day_of_cash(database, user.practice_ids, when, actor=user.email)
        practices = practice_choices(database, user.practice_ids)
        response = render(request, "deposits.html", {
            "title": "Deposits", "cash": cash, "practices": practices, "message": flashed(request),
            "form": form or FormState({"deposit_date": when.isoformat(),
                                       "practice": str(practices[0][0]) if len(practices) == 1 else ""})},
            session=session, status_code=status_code)
        return forget(response, request)

    @pages.post("/payments/deposits")
    def new_deposit(request: Request, session: Csrf, practice: Text = "", deposit_date: Text = "",
                    amount: Text = "", reference: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        typed = {"practice": practice, "deposit_date": deposit_date, "amount": amount, "reference": reference}
        try:
            with origin(request):
                deposit_id = record_deposit(database_of(request), user.practice_ids,
                                            int(practice) if practice.isdigit() and len(practice) < 10 else None,
                                            deposit_date, amount, reference, actor=user.email)
        except InvalidInput as bad:
            return _deposits_page(request, session, deposit_date,
                                  refused(typed, bad, ("practice", "deposit_date", "amount", "reference")), 422)
        return redirect_with(request, f"/payments/deposits/{deposit_id}",
                             f"Deposit {reference.strip()} of ${amount.strip()} recorded; match the day's receipts "
                             "to it below.")

    @pages.get("/payments/deposits/{deposit_id}")
    def deposit(request: Request, deposit_id: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.POST_PAYMENTS)
        return _deposit_page(request, session, deposit_id)

    def _deposit_page(request: Request, session: LiveSession, deposit_id: str, problem: str = "",
                      status_code: int = 200) -> Response:
        user = session.user
        try:
            with origin(request):
                found, cash = deposit_of(database_of(request), user.practice_ids, _id(deposit_id, "deposit"),
                                         actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        response = render(request, "deposit.html", {
            "title": f"Deposit {found.reference}", "deposit": found, "cash": cash, "problem": problem,
            "message": flashed(request)}, session=session, status_code=status_code)
        return forget(response, request)

    @pages.post("/payments/deposits/{deposit_id}/match")
    async def match_deposit(request: Request, deposit_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.POST_PAYMENTS)
        keys = [str(value) for value in (await request.form()).getlist("receipt")][:500]
        number = _id(deposit_id, "deposit")
        try:
            with origin(request):
                found = match_receipts(database_of(request), user.practice_ids, number, keys, actor=user.email)
        except NotFound as missing:
            raise _missing(missing) from None
        except InvalidInput as bad:
            return _deposit_page(request, session, deposit_id, str(bad), 422)
        state = "it reconciles" if not found.difference.cents else f"${found.difference} is still not matched"
        return redirect_with(request, f"/payments/deposits/{number}",
                             f"{len(keys)} receipt(s) matched: ${found.matched} of ${found.amount}; {state}.")

    return pages


def _by_field(refusal: InvalidInput) -> InvalidInput:
    """A patient check's problems by the form's field names (line N amount -> pN_amount)."""
    if not isinstance(refusal, InvalidFields):
        return refusal
    renamed = tuple(Problem(f"p{p.field.split()[1]}_amount" if p.field.startswith("line ") else p.field, p.message)
                    for p in refusal.problems)
    return InvalidFields(str(refusal).split(":")[0], renamed)
