"""``dermbill balances ...``: a guarantor's balance (issue 16): payments across visits (oldest first, with a
receipt), payment plans and their missed installments, refunds of patient credits, small-balance write-offs and
hardship adjustments. Refunds and hardship adjustments are approved by a manager who did not ask for them: the
approver is the user named with ``dermbill --as EMAIL``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, human_actor, out
from dermbill.cli.files import write_json

if TYPE_CHECKING:
    from dermbill.services.patient_adjustments import AdjustmentView

balances_app = typer.Typer(help="Patient balances: payments across visits, payment plans, refunds, write-offs.",
                           no_args_is_help=True)
plan_app = typer.Typer(help="Payment plans: create, list, and the missed-installment follow-up.",
                       no_args_is_help=True)
refunds_app = typer.Typer(help="Refunds of patient credits: request, then a manager approves (and it is posted).",
                          no_args_is_help=True)
write_off_app = typer.Typer(help="Small-balance write-offs and hardship (charity) adjustments.",
                            no_args_is_help=True)
hardship_app = typer.Typer(help="Hardship or charity adjustments: request with a reason, a manager approves.",
                           no_args_is_help=True)
balances_app.add_typer(plan_app, name="plan")
balances_app.add_typer(refunds_app, name="refunds")
balances_app.add_typer(write_off_app, name="write-off")
write_off_app.add_typer(hardship_app, name="hardship")

Practice = Annotated[str, typer.Option("--practice", help="The practice's code.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Account = Annotated[str, typer.Argument(help="The patient's (guarantor's) account number.")]
RequestId = Annotated[int, typer.Argument(help="The request's number (see the list command).")]


def _table(title: str, headings: tuple[str, ...], rows: list[list[str]]) -> None:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for heading in headings:
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _approver() -> str:
    """Who decides: the ``--as`` user (a manager's e-mail); without it the login name, which the service refuses
    unless it is a user with the right."""
    return human_actor() or "cli"


@balances_app.command("pay")
def pay_command(
    ctx: typer.Context,
    account: Account,
    practice: Practice,
    amount: Annotated[str, typer.Option("--amount", help="The amount paid, e.g. 47.00.")],
    method: Annotated[str, typer.Option("--method", help="cash, check or card.")],
    reference: Annotated[str, typer.Option("--reference", help="The receipt or check number, or the card "
                                                               "terminal's transaction reference (never a card "
                                                               "number). A reference posts once.")],
    receipt: Annotated[Path | None, typer.Option("--receipt", help="Write the receipt (PDF) here.")] = None,
    db: DbOption = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Post a payment from the guarantor: applied to the oldest visit first, line by line; the rest a credit."""
    from dermbill.core.errors import InvalidInput
    from dermbill.core.money import Money
    from dermbill.pdf.front_desk import payment_receipt_pdf
    from dermbill.services.patient_balances import post_guarantor_payment, practice_id_for

    money = Money.parse(amount)
    with current_database(ctx, db) as database:
        payment = post_guarantor_payment(database, practice_id_for(database, practice), account, money,
                                         method.strip().lower(), reference, actor=actor_name(by, fallback="balances"))
    if receipt is not None:
        try:
            receipt.write_bytes(payment_receipt_pdf(payment.receipt))
        except OSError as exc:
            raise InvalidInput(f"--receipt {receipt}: cannot write the receipt ({exc.strerror}); the payment is "
                               "posted, run the command again to write it") from exc
    if as_json:
        write_json(payment.to_json())
        return
    said = "posted" if payment.posted else "was posted before (nothing more posted)"
    out.print(f"payment {payment.reference} of {payment.amount} {said}: journal entry {payment.entry_id}")
    _table("Applied, oldest visit first", ("visit", "claim", "line", "code", "amount"),
           [[p.date_of_service.isoformat(), p.claim, str(p.line_number), p.procedure_code, p.amount.plain()]
            for p in payment.applied])
    out.print(f"held as a credit: {payment.credit}")


@plan_app.command("create")
def plan_create_command(
    ctx: typer.Context,
    account: Account,
    practice: Practice,
    installments: Annotated[int, typer.Option("--installments", help="How many monthly installments.")],
    first_due: Annotated[str, typer.Option("--first-due", help="The first installment's due date (YYYY-MM-DD).")],
    autopay: Annotated[str | None, typer.Option("--autopay", help="The card terminal's or processor's token for "
                                                                  "the stored payment method (never a card "
                                                                  "number).")] = None,
    db: DbOption = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """A payment plan for the guarantor's whole balance: installments summing exactly to it, monthly."""
    from dermbill.core.dates import parse_iso_date
    from dermbill.services.patient_balances import create_payment_plan, practice_id_for

    day = parse_iso_date(first_due, field="--first-due")
    with current_database(ctx, db) as database:
        plan = create_payment_plan(database, practice_id_for(database, practice), account, installments, day,
                                   autopay_reference=autopay, actor=actor_name(by, fallback="balances"))
    if as_json:
        write_json(plan.to_json())
        return
    out.print(f"payment plan {plan.id} for account {plan.account_number}: {plan.total} in "
              f"{len(plan.installments)} installments")
    _table("Installments", ("#", "due", "amount"),
           [[str(i.number), i.due_on.isoformat(), i.amount.plain()] for i, _ in plan.installments])


@plan_app.command("list")
def plan_list_command(
    ctx: typer.Context,
    practice: Practice,
    every: Annotated[bool, typer.Option("--all", help="Every plan, not only the active ones.")] = False,
    db: DbOption = None,
    as_json: Json = False,
) -> None:
    """The practice's payment plans: what each covers, what is paid, the next installment."""
    from dermbill.services.patient_balances import list_payment_plans, practice_id_for

    with current_database(ctx, db) as database:
        plans = list_payment_plans(database, practice_id_for(database, practice), status=None if every else "active",
                                   actor=actor_name(None, fallback="balances"))
    if as_json:
        write_json({"plans": [p.to_json() for p in plans]})
        return
    rows = []
    for p in plans:
        upcoming = next((i for i, status in p.installments if status != "paid"), None)
        rows.append([str(p.id), p.account_number, p.patient, p.status, p.total.plain(), p.paid.plain(),
                     f"{upcoming.due_on.isoformat()} {upcoming.open.plain()}" if upcoming else ""])
    _table(f"Payment plans of {practice}", ("plan", "account", "patient", "status", "total", "paid", "next due"), rows)


@plan_app.command("cancel")
def plan_cancel_command(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument(help="The plan's number (see `balances plan list`).")],
    practice: Practice,
    reason: Annotated[str, typer.Option("--reason", help="Why the plan ends.")],
    db: DbOption = None,
    by: By = None,
) -> None:
    """End an active plan (the statement cadence resumes for the account); what was paid stays paid."""
    from dermbill.services.patient_balances import cancel_payment_plan, practice_id_for

    with current_database(ctx, db) as database:
        plan = cancel_payment_plan(database, practice_id_for(database, practice), plan_id, reason=reason,
                                   actor=actor_name(by, fallback="balances"))
    out.print(f"payment plan {plan.id} for account {plan.account_number} cancelled")


@plan_app.command("missed")
def plan_missed_command(
    ctx: typer.Context,
    practice: Practice,
    grace_days: Annotated[int, typer.Option("--grace-days", help="Days after the due date before an installment "
                                                                 "is missed.")] = 10,
    db: DbOption = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """The follow-up list: installments missed (unpaid some days after they fell due); a plan's second missed
    installment breaks it and the statement cadence resumes."""
    from dermbill.services.patient_balances import missed_installment_follow_up, practice_id_for

    day = as_of_day(as_of)
    with current_database(ctx, db) as database:
        missed = missed_installment_follow_up(database, practice_id_for(database, practice), day,
                                              grace_days=grace_days, actor=actor_name(None, fallback="balances"))
    if as_json:
        write_json({"day": day.isoformat(), "missed": [m.to_json() for m in missed]})
        return
    _table(f"Missed installments on {day.isoformat()}", ("plan", "account", "patient", "phone", "#", "due",
                                                          "open", "days late", "plan"),
           [[str(m.plan_id), m.account_number, m.patient, m.phone or "", str(m.number), m.due_on.isoformat(),
             m.open.plain(), str(m.days_late), "broken" if m.plan_broken else "active"] for m in missed])


def _print_requests(title: str, shown: list[AdjustmentView]) -> None:
    _table(title, ("request", "account", "patient", "amount", "status", "asked by", "decided by", "reason"),
           [[str(v.id), v.account_number, v.patient, v.amount.plain(), v.status, v.requested_by, v.decided_by or "",
             v.reason] for v in shown])


@refunds_app.command("list")
def refunds_list_command(
    ctx: typer.Context,
    practice: Practice,
    db: DbOption = None,
    as_json: Json = False,
) -> None:
    """Patients with a credit (owed a refund) and the refund requests with their decisions."""
    from dermbill.services.overpayments import patient_credit_queue
    from dermbill.services.patient_adjustments import list_adjustments
    from dermbill.services.patient_balances import practice_id_for

    with current_database(ctx, db) as database:
        credits = [c for c in patient_credit_queue(database) if c.practice == practice]
        requests = list_adjustments(database, practice_id_for(database, practice), "refund",
                                    actor=actor_name(None, fallback="balances"))
    if as_json:
        write_json({"credits": [c.to_json() for c in credits], "requests": [r.to_json() for r in requests]})
        return
    _table(f"Patient credits of {practice}", ("account", "patient", "credit"),
           [[c.account_number, c.patient, c.amount.plain()] for c in credits])
    _print_requests("Refund requests", requests)


@refunds_app.command("request")
def refunds_request_command(
    ctx: typer.Context,
    account: Account,
    practice: Practice,
    reason: Annotated[str, typer.Option("--reason", help="Why the credit is refunded.")],
    amount: Annotated[str | None, typer.Option("--amount", help="Part of the credit (default: all of it).")] = None,
    db: DbOption = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Ask to refund a patient's credit; a manager (not you) approves it."""
    from dermbill.core.money import Money
    from dermbill.services.patient_adjustments import request_refund
    from dermbill.services.patient_balances import practice_id_for

    money = Money.parse(amount) if amount is not None else None
    with current_database(ctx, db) as database:
        view = request_refund(database, practice_id_for(database, practice), account, amount=money, reason=reason,
                              requested_by=actor_name(by, fallback="balances"))
    if as_json:
        write_json(view.to_json())
        return
    out.print(f"refund request {view.id}: {view.amount} to account {view.account_number}, waiting for a manager")


@refunds_app.command("approve")
def refunds_approve_command(
    ctx: typer.Context,
    request_id: RequestId,
    reference: Annotated[str | None, typer.Option("--reference", help="The check or card-refund number sent to "
                                                                      "the patient.")] = None,
    db: DbOption = None,
    as_json: Json = False,
) -> None:
    """Approve a refund request (as the manager named with ``dermbill --as``) and post it: Dr 2100, Cr cash."""
    from dermbill.services.patient_adjustments import approve_adjustment

    with current_database(ctx, db) as database:
        view = approve_adjustment(database, request_id, approver=_approver(), kind="refund", reference=reference)
    if as_json:
        write_json(view.to_json())
        return
    out.print(f"refund {view.id} of {view.amount} to account {view.account_number} approved and posted "
              f"(journal entry {view.journal_entry_id})")


def _reject(ctx: typer.Context, kind: str, request_id: int, note: str, db: str | None, as_json: bool) -> None:
    from dermbill.services.patient_adjustments import reject_adjustment

    with current_database(ctx, db) as database:
        view = reject_adjustment(database, request_id, approver=_approver(), note=note, kind=kind)
    if as_json:
        write_json(view.to_json())
        return
    out.print(f"request {view.id} rejected; nothing posted")


Note = Annotated[str, typer.Option("--note", help="Why it is rejected.")]


@refunds_app.command("reject")
def refunds_reject_command(ctx: typer.Context, request_id: RequestId, note: Note, db: DbOption = None,
                           as_json: Json = False) -> None:
    """Reject a refund request (as the manager named with ``dermbill --as``), saying why."""
    _reject(ctx, "refund", request_id, note, db, as_json)


@write_off_app.command("small")
def write_off_small_command(
    ctx: typer.Context,
    practice: Practice,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list who would be written off.")] = False,
    db: DbOption = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Write off every whole balance under the practice's small-balance threshold with nothing pending with a
    payer (Dr 4310, Cr 1200); list them first with --dry-run."""
    from dermbill.core.money import total
    from dermbill.services.patient_adjustments import write_off_small_balances
    from dermbill.services.patient_balances import practice_id_for

    with current_database(ctx, db) as database:
        threshold, balances = write_off_small_balances(database, practice_id_for(database, practice),
                                                       dry_run=dry_run, actor=actor_name(by, fallback="balances"))
    amount = total([b.amount for b in balances])
    if as_json:
        write_json({"dry_run": dry_run, "threshold": threshold.plain(), "amount": amount.plain(),
                    "guarantors": [b.to_json() for b in balances]})
        return
    verb = "would write off" if dry_run else "wrote off"
    _table(f"{practice}: {verb} {amount} for {len(balances)} guarantors (under {threshold})",
           ("account", "patient", "amount"), [[b.account_number, b.patient, b.amount.plain()] for b in balances])


@hardship_app.command("list")
def hardship_list_command(ctx: typer.Context, practice: Practice, db: DbOption = None, as_json: Json = False) -> None:
    """The hardship requests and their decisions."""
    from dermbill.services.patient_adjustments import list_adjustments
    from dermbill.services.patient_balances import practice_id_for

    with current_database(ctx, db) as database:
        requests = list_adjustments(database, practice_id_for(database, practice), "hardship",
                                    actor=actor_name(None, fallback="balances"))
    if as_json:
        write_json({"requests": [r.to_json() for r in requests]})
        return
    _print_requests(f"Hardship requests of {practice}", requests)


@hardship_app.command("request")
def hardship_request_command(
    ctx: typer.Context,
    account: Account,
    practice: Practice,
    amount: Annotated[str, typer.Option("--amount", help="How much of the balance to adjust.")],
    reason: Annotated[str, typer.Option("--reason", help="The hardship or charity-care review's finding.")],
    db: DbOption = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Ask for a hardship or charity adjustment of a patient's balance; a manager (not you) approves it."""
    from dermbill.core.money import Money
    from dermbill.services.patient_adjustments import request_hardship
    from dermbill.services.patient_balances import practice_id_for

    money = Money.parse(amount)
    with current_database(ctx, db) as database:
        view = request_hardship(database, practice_id_for(database, practice), account, money, reason=reason,
                                requested_by=actor_name(by, fallback="balances"))
    if as_json:
        write_json(view.to_json())
        return
    out.print(f"hardship request {view.id}: {view.amount} for account {view.account_number}, waiting for a manager")


@hardship_app.command("approve")
def hardship_approve_command(ctx: typer.Context, request_id: RequestId, db: DbOption = None,
                             as_json: Json = False) -> None:
    """Approve a hardship request (as the manager named with ``dermbill --as``) and post it: Dr 4320, Cr 1200,
    oldest visit first."""
    from dermbill.services.patient_adjustments import approve_adjustment

    with current_database(ctx, db) as database:
        view = approve_adjustment(database, request_id, approver=_approver(), kind="hardship")
    if as_json:
        write_json(view.to_json())
        return
    out.print(f"hardship adjustment {view.id} of {view.amount} for account {view.account_number} approved and "
              f"posted (journal entry {view.journal_entry_id})")


@hardship_app.command("reject")
def hardship_reject_command(ctx: typer.Context, request_id: RequestId, note: Note, db: DbOption = None,
                            as_json: Json = False) -> None:
    """Reject a hardship request (as the manager named with ``dermbill --as``), saying why."""
    _reject(ctx, "hardship", request_id, note, db, as_json)
