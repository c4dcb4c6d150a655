"""``dermbill era post`` and ``dermbill ledger check``: posting remittances and proving the ledger adds up; the
overpayment and patient credit queues and the refunds that clear them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, out, say_error
from dermbill.cli.files import write_json
from dermbill.core.errors import InvalidInput

if TYPE_CHECKING:
    from dermbill.services.era_posting import RemittanceOutcome

era_app = typer.Typer(help="Electronic remittance advice (835): post payments and denials.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger: check its invariants, show its totals.",
                         no_args_is_help=True)


@era_app.command("post")
def post_era_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="835 file(s) to post.")],
    db: DbOption = None,
    organization: Annotated[str | None, typer.Option(
        "--organization", help="The billing company that received the files (default: the one whose clearinghouse "
                               "submitter ID they are addressed to).")] = None,
) -> None:
    """Post 835 files to the ledger, each payment exactly once; show what was paid, denied and held.

    Exits 1 when anything was not posted (a file quarantined or in conflict, a claim payment held for a person),
    saying what, and 2 when a file could not be read; every file named is still tried.
    """
    from dermbill.services.era_posting import organization_named, post_era_file

    not_posted: list[str] = []
    unreadable = 0
    with current_database(ctx, db) as database:
        organization_id = organization_named(database, organization) if organization else None
        for path in files:
            try:
                outcomes = post_era_file(database, path, organization_id=organization_id,
                                         actor=actor_name(None))
            except InvalidInput as exc:  # not an 835 we can read: said, and the next file is still posted
                say_error(str(exc))
                unreadable += 1
                continue
            for outcome in outcomes:
                _print_outcome(path, outcome)
                if outcome.status not in ("posted", "already posted"):
                    not_posted.append(f"{path.name}: remittance {outcome.trace_number} {outcome.status}")
                elif outcome.unmatched and outcome.status == "posted":
                    not_posted.append(f"{path.name}: remittance {outcome.trace_number}: {len(outcome.unmatched)} "
                                      "claim payment(s) held for a person")
    if not_posted:
        out.print(f"Not everything was posted ({len(not_posted)}):")
        for item in not_posted:
            out.print(f"  {item}")
        out.print("See dermbill era problems (files) and dermbill era unmatched (claim payments).")
    if unreadable or not_posted:
        raise typer.Exit(2 if unreadable else 1)


def _print_outcome(path: Path, outcome: RemittanceOutcome) -> None:
    out.print(f"{path.name}: remittance {outcome.trace_number} from {outcome.payer}, ${outcome.payment}: "
              f"{outcome.status}" + (f" for practice {outcome.practice}" if outcome.practice else ""))
    if outcome.status == "posted":
        out.print(f"  {outcome.claims_posted} claim payment(s) posted, ${outcome.paid} paid")
    if outcome.unapplied.cents:
        out.print(f"  ${outcome.unapplied} held unapplied until its claim payments are matched")
    if outcome.recouped.cents:
        out.print(f"  ${outcome.recouped} of earlier overpayments recouped by the payer")
    for label, items in (("denied", outcome.denied), ("held for a person (in the unmatched queue)", outcome.unmatched),
                         ("paid again (in the overpayment queue)", outcome.overpaid),
                         ("crossed over to the next payer", outcome.crossovers),
                         ("problem", outcome.problems)):
        if items:
            out.print(f"  {label}: {len(items)}")
            for item in items[:20]:
                out.print(f"    {item}")
            if len(items) > 20:
                out.print(f"    ... and {len(items) - 20} more")


@era_app.command("problems")
def problems_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
) -> None:
    """835s not posted: conflicts (a payment posted before, sent again with other content: what differs) and
    quarantined files (cut short, not balancing, the same claim twice), for a person to resolve with the payer."""
    from dermbill.services.era_posting import remittance_problems

    with current_database(ctx, db) as database:
        items = remittance_problems(database)
    if as_json:
        write_json({"items": items})
        return
    if not items:
        out.print("No 835 is waiting: every one received was posted.")
    for item in items:
        out.print(f"{item['practice']} {item['status']}: {item['trace']} from {item['payer']}, ${item['payment']} "
                  f"({item['file']}, received {item['received_at']})")
        for problem in item["problems"]:
            out.print(f"  {problem}")


@era_app.command("unmatched")
def unmatched_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
) -> None:
    """Claim payments that matched none of our claims (or not line by line): to be matched by a person."""
    from dermbill.services.audit import record_read
    from dermbill.services.era_posting import unmatched_queue

    with current_database(ctx, db) as database:
        items = unmatched_queue(database)
        record_read(database, "unmatched.list", "remittance_claim", actor=actor_name(None),
                    records=[str(item["claim"]) for item in items])
    if as_json:
        write_json({"items": items})
        return
    if not items:
        out.print("The unmatched queue is empty: every claim payment found its claim.")
    for item in items:
        out.print(f"{item['practice']} {item['claim']} (payer claim {item['payer_claim_number'] or '-'}): "
                  f"${item['paid']} from {item['payer']} in {item['trace']} ({item['file']}): {item['reason']}",
                  markup=False)


@era_app.command("overpayments")
def overpayments_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
) -> None:
    """Claim payments a payer made for lines it had already settled: refund due to the payer, until refunded
    (`dermbill era refund`) or recouped on a later remittance (PLB WO/72)."""
    from dermbill.services.audit import record_read
    from dermbill.services.overpayments import overpayment_queue

    with current_database(ctx, db) as database:
        items = overpayment_queue(database)
        record_read(database, "overpayment.list", "overpayment", actor=actor_name(None),
                    records=[item.claim for item in items])
    if as_json:
        write_json({"items": [item.to_json() for item in items]})
        return
    if not items:
        out.print("The overpayment queue is empty: no payer has paid a claim twice.")
    for item in items:
        out.print(f"#{item.id} {item.practice} {item.claim} (payer claim {item.payer_claim_number or '-'}): "
                  f"${item.amount} due to {item.payer}; paid in {item.original_trace or '-'} and again in "
                  f"{item.trace} ({item.file})", markup=False)


@era_app.command("refund")
def refund_command(
    ctx: typer.Context,
    overpayment: Annotated[int, typer.Argument(help="The overpayment number (from `dermbill era overpayments`).")],
    reference: Annotated[str, typer.Option("--reference", help="The refund's check or EFT number.")],
    db: DbOption = None,
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Record the refund sent to the payer for an overpayment: it leaves the queue and the payer credit balance."""
    from dermbill.services.overpayments import refund_overpayment

    with current_database(ctx, db) as database:
        amount = refund_overpayment(database, overpayment, reference, actor=actor_name(by), today=as_of_day(as_of))
    out.print(f"Overpayment #{overpayment}: ${amount} refunded to the payer ({reference}).", markup=False)


@ledger_app.command("credits")
def credits_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
) -> None:
    """Patients with a credit balance (paid more than they owe): refund it (`dermbill ledger refund-patient`)."""
    from dermbill.services.audit import record_read
    from dermbill.services.overpayments import patient_credit_queue

    with current_database(ctx, db) as database:
        items = patient_credit_queue(database)
        record_read(database, "patient_credit.list", "patient", actor=actor_name(None),
                    records=[item.account_number for item in items])
    if as_json:
        write_json({"items": [item.to_json() for item in items]})
        return
    if not items:
        out.print("No patient has a credit balance.")
    for item in items:
        out.print(f"{item.practice} {item.account_number} {item.patient}: ${item.amount} credit", markup=False)


@ledger_app.command("refund-patient")
def refund_patient_command(
    ctx: typer.Context,
    practice: Annotated[str, typer.Argument(help="The practice code.")],
    account: Annotated[str, typer.Argument(help="The patient's account number.")],
    reference: Annotated[str, typer.Option("--reference", help="The refund's check or card refund number.")],
    amount: Annotated[str | None, typer.Option("--amount", help="Refund part of the credit (default all).")] = None,
    db: DbOption = None,
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Record a refund sent to a patient: it comes off the patient's credit balance."""
    from dermbill.core.money import Money
    from dermbill.services.overpayments import refund_patient_credit

    with current_database(ctx, db) as database:
        refunded = refund_patient_credit(database, practice, account, reference, actor=actor_name(by),
                                         today=as_of_day(as_of), amount=Money.parse(amount) if amount else None)
    out.print(f"Patient {account}: ${refunded} refunded ({reference}).", markup=False)


@ledger_app.command("check")
def check_ledger_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> int:
    """Verify every ledger invariant over the whole database; exit status 1 if any is violated."""
    from dermbill.services.ledger_check import TOTALS, check_ledger

    with current_database(ctx, db) as database:
        report = check_ledger(database)
    if as_json:
        write_json(report.as_json())
        return 0 if report.clean else 1
    table = Table(title=f"Ledger: {report.practices} practice(s), {report.entries} entries, "
                        f"{report.postings} postings, {report.lines_checked} claim lines checked")
    table.add_column("Total")
    table.add_column("Amount", justify="right")
    for key, label, *_ in TOTALS:
        table.add_row(label, f"${report.totals[key]}")
    out.print(table)
    for warning in report.warnings:
        out.print(f"warning: {warning}", markup=False)
    if report.clean:
        out.print("Ledger check: clean (every entry balances; every claim line's charge is accounted for).")
        return 0
    for violation in report.violations:
        out.print(f"VIOLATION: {violation}", markup=False)
    out.print(f"Ledger check: {len(report.violations)} violation(s).")
    return 1
