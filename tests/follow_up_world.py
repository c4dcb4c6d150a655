"""Claims sent to the simulated payer whose 835s never arrived, for the claim follow-up tests (service, CLI, web).

The payer (TSTMCR) pays a biopsy (11102), denies Mohs without a prior authorization (17311), holds destruction
(17000) for its review and excision (11642) until it has the records; a fifth claim is marked submitted but never
reached it. Everything was sent on ``SENT``; the 999s and 277CAs came back, the 835s were lost. ``ASKED`` is
33 days later: every claim is due a 276 (the payer's wait is 30 days).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from era_world import add_claim, practice_world

from dermbill.clearinghouse.config import ClearinghouseConfig, parse_config
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, write_roster
from dermbill.clearinghouse.simulated_payer.service import write_payers
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.services.transmission import submit_claims, sync

SENT = datetime.datetime(2026, 4, 2, 10, 0, tzinfo=datetime.UTC)
ASKED = SENT + datetime.timedelta(days=33)
PAYER = PayerProfile("TSTMCR", "TEST MEDICARE", "medicare", 100, 365, authorization_codes=("17311",),
                     review_codes=("17000",), records_codes=("11642",))
SENT_CLAIMS = {"paid": ("11102", (), 15000), "denied": ("17311", (), 90000), "pended": ("17000", (), 12000),
               "records": ("11642", (), 60000)}


@dataclass(frozen=True)
class FollowUpWorld:
    database: Database
    practice_id: int
    config: ClearinghouseConfig
    folder: Path
    claims: dict[str, str]  # kind -> claim number (patient control number)

    @property
    def outbox(self) -> Path:
        return self.folder / "outbox"

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"


def config_file(folder: Path) -> Path:
    """A dermbill.toml naming the simulated payer (for the commands)."""
    path = folder / "dermbill.toml"
    path.write_text('[connections.sim]\nkind = "simulated"\nfolder = "payer"\n')
    return path


def follow_up_world(database: Database, folder: Path) -> FollowUpWorld:
    world = practice_world(database)
    payer_folder = folder / "payer"
    payer_folder.mkdir(parents=True)
    write_payers(payer_folder / "payers.csv", [PAYER])
    write_roster(payer_folder / "roster.csv", [
        Member("TSTMCR", "1EG4TE5MK72", "DOE", "JANE", datetime.date(1950, 1, 1), datetime.date(2015, 1, 1), None,
               Money(0), 20, Money(0))])
    config = parse_config({"connections": {"sim": {"kind": "simulated", "folder": "payer"}}}, folder)
    claims = {kind: add_claim(world, [spec], submit=False).pcn for kind, spec in SENT_CLAIMS.items()}
    submit_claims(database, config, folder / "outbox", now=SENT)
    for lost in (payer_folder / "outbox").glob("835-*"):
        lost.unlink()
    sync(database, config, folder / "inbox", now=SENT)
    claims["not found"] = add_claim(world, [("11104", (), 11000)]).pcn  # "submitted", never reached the payer
    return FollowUpWorld(database, world.practice_id, config, folder, claims)
