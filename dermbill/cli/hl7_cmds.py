"""``dermbill hl7``: HL7 v2 from the practices' EHRs: ``listen`` (an MLLP listener), ``import`` (a file of
messages), ``messages`` (the failed and rejected ones, waiting for a fix) and ``replay``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermbill.cli.common import DbOption, actor_name, current_database, err, out, say_error
from dermbill.cli.files import write_json

if TYPE_CHECKING:
    from dermbill.services.hl7_inbox import Answer, Routing

hl7_app = typer.Typer(help="HL7 v2 from the practices' EHRs: charges, patients, appointments, pathology.",
                      no_args_is_help=True)

FacilityOption = Annotated[list[str] | None, typer.Option(
    "--facility", help="Map a sending facility (MSH-4) to a practice: FACILITY=PRACTICE_CODE (repeatable). "
                       "Unmapped, a facility that is a practice's code is that practice.")]


def _routing(facilities: list[str] | None, practice: str | None = None) -> Routing:
    from dermbill.core.errors import InvalidInput
    from dermbill.services.hl7_inbox import Routing

    mapped = {}
    for item in facilities or []:
        facility, _, code = item.partition("=")
        if not facility.strip() or not code.strip():
            raise InvalidInput(f"--facility {item!r}: give FACILITY=PRACTICE_CODE, e.g. --facility NORTHDERM=NORTH")
        mapped[facility.strip()] = code.strip()
    return Routing(mapped, practice)


def split_messages(text: str) -> list[str]:
    """The messages of a file: MLLP-framed, or one after another each starting with MSH (batch FHS/BHS/BTS/FTS
    segments are left out)."""
    if "\x0b" in text:
        return [part.strip("\x0b\x1c\r\n") for part in text.split("\x1c") if part.strip("\x0b\x1c\r\n ")]
    messages: list[list[str]] = []
    for segment in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not segment.strip() or segment[:3] in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if segment.startswith("MSH") or not messages:
            messages.append([])
        messages[-1].append(segment)
    return ["\r".join(segments) for segments in messages]


@hl7_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file of HL7 v2 messages (one after another, or MLLP-framed).")],
    db: DbOption = None,
    practice: Annotated[str | None, typer.Option("--practice", help="The practice (code) every message is for.")]
    = None,
    facility: FacilityOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome of each message as JSON.")] = False,
) -> None:
    """Store and process each message of a file, as the listener would; print each one's answer (AA, AE, AR).
    Exit 1 when any failed: they are kept, listed by 'dermbill hl7 messages', and replayed after a fix."""
    from dermbill.cli.files import read_input
    from dermbill.cli.progress import StageProgress
    from dermbill.services.hl7_inbox import receive

    routing = _routing(facility, practice)
    messages = split_messages(read_input(str(file)))
    if not messages:
        say_error(f"{file}: no HL7 message (a message starts with an MSH segment)")
        raise typer.Exit(1)
    answers = []
    with current_database(ctx, db) as database, StageProgress(err) as bars:
        for raw in messages:
            answers.append(receive(database, raw, routing))
            if err.is_terminal and len(messages) > 1:
                bars.report("messages", len(answers), len(messages))
    failed = [a for a in answers if a.code != "AA"]
    if as_json:
        write_json({"messages": [{"message_id": a.message_id, "answer": a.code, "status": a.status,
                                  "duplicate": a.duplicate, "where": a.where, "reason": a.reason,
                                  "outcome": dict(a.outcome)} for a in answers]})
    else:
        for number, answer in enumerate(answers, start=1):
            out.print(_line(number, answer))
        processed = sum(a.code == "AA" for a in answers)
        out.print(f"{len(answers)} message(s): {processed} taken, {len(failed)} kept for a fix"
                  + (" (see 'dermbill hl7 messages')" if failed else ""))
    if failed:
        raise typer.Exit(1)


def _line(number: int, answer: Answer) -> str:
    what = "already processed (sent again)" if answer.duplicate and answer.code == "AA" else answer.status
    detail = f": {answer.where + ': ' if answer.where else ''}{answer.reason}" if answer.code != "AA" else ""
    made = ", ".join(f"{k} {v}" for k, v in answer.outcome.items() if k in ("claim", "encounter_id",
                                                                             "appointment_id", "patient"))
    return f"message {number} (#{answer.message_id}): {answer.code} {what}{detail}{f' ({made})' if made else ''}"


@hl7_app.command("listen")
def listen_command(
    ctx: typer.Context,
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="The TCP port (0: any free one).")] = 2575,
    facility: FacilityOption = None,
) -> None:
    """An MLLP listener: each message is stored, processed and only then acknowledged (AA, or AE/AR naming the
    segment and field). Messages stored but not processed when a listener stopped are processed on start."""
    import asyncio

    from dermbill.hl7.listener import Reply, serve
    from dermbill.services.hl7_inbox import process_waiting, receive

    routing = _routing(facility)
    with current_database(ctx, db) as database:
        waiting = process_waiting(database, routing)
        if waiting:
            out.print(f"processed {len(waiting)} message(s) stored before the last stop")

        def handle(raw: str) -> Reply:
            answer = receive(database, raw, routing)
            return Reply(answer.ack, _summary(answer))

        def ready(bound: int) -> None:
            out.print(f"listening for HL7 v2 (MLLP) on {host}:{bound} (Ctrl-C stops)", highlight=False)

        asyncio.run(serve(host, port, handle, say=lambda text: out.print(text, highlight=False), ready=ready))
    out.print("stopped")


def _summary(answer: Answer) -> str:
    where = f" at {answer.where}" if answer.where and answer.code != "AA" else ""
    again = " (sent again)" if answer.duplicate else ""
    return f"message #{answer.message_id}: {answer.code} {answer.status}{again}{where}"


@hl7_app.command("messages")
def messages_command(
    ctx: typer.Context,
    db: DbOption = None,
    status: Annotated[str, typer.Option("--status", help="failed (and rejected), received, processed or all.")]
    = "failed",
    as_json: Annotated[bool, typer.Option("--json", help="Print the messages as JSON.")] = False,
) -> None:
    """The messages kept for a fix (failed: AE; rejected: AR), with why and where; replay them after the fix."""
    from dermbill.core.errors import InvalidInput
    from dermbill.services.hl7_inbox import failed_messages

    choices = {"failed": ("failed", "rejected"), "received": ("received",), "processed": ("processed",),
               "all": ("received", "processed", "failed", "rejected")}
    if status not in choices:
        raise InvalidInput(f"--status {status!r}: choose one of {', '.join(choices)}")
    with current_database(ctx, db) as database:
        found = failed_messages(database, statuses=choices[status], actor=actor_name(None))
    if as_json:
        write_json({"messages": [{
            "message_id": m.message_id, "practice": m.practice, "sender": m.sender, "control_id": m.control_id,
            "type": m.message_type, "status": m.status, "where": m.where, "reason": m.reason,
            "attempts": m.attempts, "received_at": m.received_at.isoformat(),
            "outcome": json.loads(json.dumps(dict(m.outcome)))} for m in found]})
        return
    if not found:
        out.print(f"no {status} HL7 message")
        return
    for m in found:
        where = f" at {m.where}" if m.where else ""
        reason = f"{where}: {m.reason}" if m.reason else ""
        out.print(f"#{m.message_id} {m.message_type or '?'} from {m.sender} control {m.control_id or '-'} "
                  f"({m.practice or 'no practice'}): {m.status}{reason} [tried {m.attempts}x]", highlight=False)


@hl7_app.command("replay")
def replay_command(
    ctx: typer.Context,
    message_ids: Annotated[list[int] | None, typer.Argument(help="The messages to process again (their #).")]
    = None,
    db: DbOption = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed and rejected message.")] = False,
    practice: Annotated[str | None, typer.Option("--practice", help="The practice (code) they are for.")] = None,
    facility: FacilityOption = None,
) -> None:
    """Process kept messages again after a fix (the provider added, the facility mapped, the code set loaded).
    Exit 1 when any still fails."""
    from dermbill.core.errors import InvalidInput
    from dermbill.services.hl7_inbox import failed_messages, replay

    if bool(message_ids) == all_failed:
        raise InvalidInput("name the messages to replay (their #), or --all-failed")
    with current_database(ctx, db) as database:
        ids = list(message_ids or []) or [m.message_id for m in failed_messages(database, actor=actor_name(None))]
        answers = replay(database, ids, _routing(facility, practice))
    for number, answer in enumerate(answers, start=1):
        out.print(_line(number, answer), highlight=False)
    if any(a.code != "AA" for a in answers):
        raise typer.Exit(1)
