"""A synthetic billing company on PostgreSQL for the reports benchmark (issue 17): N practices, M claim lines.

``build(url, practices=200, lines=5_000_000)`` writes into its own schema (migrated with Alembic first) a billing
company that has run for 15 months, 2025-09-01 to 2026-11-30: per practice 5 providers, a location, patients and
claims of 1-4 lines (2.5 on average) over 14 dermatology codes, each claim with its status history
(claim_status_event), and the ledger as dermbill posts it (``services.claim_lifecycle.charge_entry``,
``core.posting``):

- the charge, on the day the claim was made: Dr 1100 per line (naming patient, payer, claim, line), Cr 4000 for
  the claim (no line);
- the payer's answer 12-40 days after submission (line_adjudication rows of a remittance per practice and day):
  paid lines Dr 1000 (payer), Dr 4100 contractual (payer), Dr 1200 patient responsibility (no payer),
  Cr 1100; 8% of claims denied (Dr 1150, Cr 1100, a denial_item), of which a third are paid on appeal later
  (an appeal won, a second adjudication, Dr 1000/4100/1200, Cr 1150), a third written off (Dr 4200, Cr 1150),
  and a third still being worked; 2% of paid claims have an underpayment item;
- a statement 5 days after the answer when the patient owes, then the patient's payment within 10-80 days for
  two thirds of them (Dr 1000 naming no payer, Cr 1200), and small balances written off (Dr 4310, Cr 1200);
- claims answered after 2026-11-30 are still owed by their payers (insurance A/R), and the last days' claims are
  not sent yet.

Every entry balances and names its lines, so ``dermbill ledger check`` and the reports read it as they read a
real ledger. Rows are written with COPY (psycopg 3) by two processes (practices split between them), with the
plain secondary indexes of the big tables dropped during the load and rebuilt after it; foreign-key and ledger
triggers are off for the load (``session_replication_role = replica``: the generator writes only consistent rows).
A marker table records the generator's version and size: a schema that holds the same company is reused.
"""

from __future__ import annotations

import datetime
import multiprocessing
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

VERSION = "2"  # 2: the ledger summaries are filled after the load
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime.date(2025, 9, 1)
END = datetime.date(2026, 11, 30)  # the last day with postings: the benchmark reports as of it
DAYS = (END - START).days + 1
NOW = "2026-12-01 06:00:00+00"
PROVIDERS = 5
ACCOUNTS = ("1000", "1100", "1150", "1200", "2100", "2150", "2160", "4000", "4100", "4200", "4300", "4310", "4320",
            "4400")
ACCOUNT_KINDS = ("asset", "asset", "asset", "asset", "liability", "liability", "liability", "revenue",
                 "contra_revenue", "contra_revenue", "contra_revenue", "contra_revenue", "contra_revenue",
                 "contra_revenue")
CODES = (("99213", 13000), ("99214", 19000), ("11102", 15000), ("11104", 14000), ("17000", 9000), ("17003", 2500),
         ("17110", 16000), ("11305", 12000), ("11402", 30000), ("12031", 35000), ("96372", 4000),
         ("88305", 11000), ("11900", 8000), ("10060", 17000))
PAYERS = (("MEDICARE PART B TEST", "medicare", "MB"), ("STATE MEDICAID TEST", "medicaid", "MC"),
          *((f"COMMERCIAL PLAN {n} TEST", "commercial", "CI") for n in range(1, 11)))
PATTERN = (1, 2, 3, 4, 2, 3, 2, 3)  # lines per claim, 2.5 on average
DENIALS = (("CO", "27", "eligibility_coverage"), ("CO", "197", "authorization"), ("CO", "97", "coding_bundling"),
           ("CO", "4", "modifiers"), ("CO", "50", "medical_necessity"), ("CO", "18", "duplicate"),
           ("CO", "29", "timely_filing"), ("CO", "16", "missing_information"))
# Ids come in blocks per practice (gaps are harmless): two processes write practices at once.
STRIDE = {"patient": 10_000, "claim": 400_000, "claim_line": 1_000_000, "claim_status_event": 2_000_000,
          "journal_entry": 2_000_000, "posting": 8_000_000, "line_adjudication": 1_500_000, "remittance": 1_000,
          "denial_item": 100_000, "appeal": 100_000, "statement": 400_000, "statement_claim": 400_000,
          "payment_plan": 10_000}
LOADED = ("organization", "practice", "payer", "provider", "service_location", "ledger_account", *STRIDE)
COLUMNS = {
    "patient": "id, practice_id, account_number, last_name, first_name, date_of_birth, sex, address_line1, city, "
               "state, zip_code, created_at",
    "provider": "id, practice_id, last_name, first_name, npi, taxonomy, active",
    "service_location": "id, practice_id, name, place_of_service, address_line1, city, state, zip_code",
    "ledger_account": "id, practice_id, code, name, kind",
    "claim": "id, practice_id, patient_id, payer_id, rendering_provider_id, location_id, status, frequency_code, "
             "patient_control_number, diagnosis_codes, total_charge_cents, date_of_service, created_at, updated_at",
    "claim_line": "id, practice_id, claim_id, line_number, procedure_code, modifiers, units, charge_cents, "
                  "diagnosis_pointers, service_date_from",
    "claim_status_event": "id, practice_id, claim_id, from_status, to_status, actor, reason, occurred_at",
    "journal_entry": "id, practice_id, entry_date, kind, memo, idempotency_key, created_at, created_by",
    "posting": "id, practice_id, journal_entry_id, account_id, amount_cents, patient_id, payer_id, claim_id, "
               "claim_line_id",
    "remittance": "id, practice_id, payer_identifier, trace_number, content_hash, payment_cents, payment_date, "
                  "status, problems, file_name, received_at, trace_originator, trace_reference, resolved",
    "line_adjudication": "id, practice_id, claim_id, claim_line_id, remittance_id, payer_id, status_code, code, "
                         "modifiers, units, paid_cents, allowed_cents, adjustments, remarks, adjudicated_on",
    "denial_item": "id, practice_id, claim_id, remittance_id, payer_id, source_key, kind, line_ids, line_numbers, "
                   "codes, group_code, carc, rarcs, category, action, cause, fixes, relies_on, amount_cents, "
                   "adjudicated_on, status, created_at, updated_at",
    "appeal": "id, practice_id, denial_item_id, claim_id, file_name, written_on, status, answered_on",
    "statement": "id, practice_id, patient_id, statement_date, due_on, amount_cents, step, code, delivery, "
                 "delivery_status, document, created_by, created_at",
    "statement_claim": "id, practice_id, statement_id, claim_id, patient_owes_cents",
    "payment_plan": "id, practice_id, patient_id, total_cents, installment_count, first_due_on, status, created_by, "
                    "created_at",
}
BIG_TABLES = ("claim", "claim_line", "claim_status_event", "journal_entry", "posting", "line_adjudication",
              "denial_item", "statement", "statement_claim", "patient")


def schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _libpq(schema: str) -> str:
    return f"host=127.0.0.1 port=5432 dbname=test user=postgres options=-csearch_path={schema}"


def _ts(day: datetime.date, hour: int = 14) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+00"


class _Practice:
    """The rows of one practice, as COPY text lines per table."""

    def __init__(self, number: int, claims: int, patients: int) -> None:
        self.p = number
        self.rows: dict[str, list[str]] = {name: [] for name in COLUMNS}
        self.next = {name: (number - 1) * stride + 1 for name, stride in STRIDE.items()}
        self.claims, self.patients = claims, patients
        self.account = {code: (number - 1) * len(ACCOUNTS) + i + 1 for i, code in enumerate(ACCOUNTS)}
        self.remittances: dict[datetime.date, int] = {}
        self.statements: dict[tuple[int, datetime.date], int] = {}

    def new(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        if value > self.p * STRIDE[table]:
            raise RuntimeError(f"practice {self.p}: the id block of {table} is full")
        return value

    def add(self, table: str, *values: object) -> None:
        self.rows[table].append("\t".join("\\N" if v is None else str(v) for v in values))

    def entry(self, day: datetime.date, kind: str, key: str,
              postings: list[tuple[str, int, int | None, int | None, int, int | None]]) -> None:
        """A journal entry of (account code, cents, patient, payer, claim, line) postings (they balance)."""
        entry = self.new("journal_entry")
        self.add("journal_entry", entry, self.p, day, kind, key, key, NOW, "bench")
        for code, cents, patient, payer, claim, line in postings:
            if cents:
                self.add("posting", self.new("posting"), self.p, entry, self.account[code], cents, patient, payer,
                         claim, line)

    def remittance(self, day: datetime.date) -> int:
        found = self.remittances.get(day)
        if found is None:
            found = self.remittances[day] = self.new("remittance")
            self.add("remittance", found, self.p, "BENCH", f"T{self.p}-{day:%Y%m%d}", f"bench-{found}", 0, day,
                     "posted", "[]", f"bench-{found}.835", _ts(day, 6), "1BENCH", "", "f")
        return found

    def event(self, claim: int, before: str, after: str, day: datetime.date, hour: int) -> None:
        self.add("claim_status_event", self.new("claim_status_event"), self.p, claim, before, after, "bench", "",
                 _ts(day, hour))


def _practice_rows(number: int, claims: int, patients: int) -> _Practice:
    rng = random.Random(number)
    out = _Practice(number, claims, patients)
    p = number
    for i, code in enumerate(ACCOUNTS):
        out.add("ledger_account", out.account[code], p, code, f"account {code}", ACCOUNT_KINDS[i])
    providers = [(p - 1) * PROVIDERS + i + 1 for i in range(PROVIDERS)]
    for i, provider in enumerate(providers):
        out.add("provider", provider, p, f"TESTDOC{i}", f"PRACTICE{p}", f"{1_000_000_000 + provider}", "207N00000X",
                "t")
    out.add("service_location", p, p, f"CLINIC {p}", "11", f"{p} TEST AVE", "ANYTOWN", "PA", "19099")
    patient_ids = []
    for n in range(patients):
        patient = out.new("patient")
        patient_ids.append(patient)
        out.add("patient", patient, p, f"B{p:03d}-{n:06d}", "TESTBENCH", f"PAT{n:06d}",
                datetime.date(1940 + n % 60, 1 + n % 12, 1 + n % 28), "FM"[n % 2], f"{n} TEST ST", "ANYTOWN", "PA",
                "19099", NOW)
        if n % 200 == 7:
            out.add("payment_plan", out.new("payment_plan"), p, patient, 20000 + 100 * (n % 50), 4,
                    START + datetime.timedelta(days=n % DAYS), "active", "bench",
                    _ts(START + datetime.timedelta(days=(n * 7) % DAYS)))
    practice_payers = rng.sample(range(1, len(PAYERS) + 1), 6)
    for k in range(claims):
        claim = out.new("claim")
        patient = patient_ids[rng.randrange(patients)]
        payer = practice_payers[min(int(rng.expovariate(0.7)), 5)]
        provider = providers[rng.randrange(PROVIDERS)]
        dos = START + datetime.timedelta(days=rng.randrange(DAYS))
        created = dos + datetime.timedelta(days=rng.randrange(4))
        submitted = created + datetime.timedelta(days=rng.randrange(3))
        count = PATTERN[k % len(PATTERN)]
        lines = []
        for n in range(count):
            code, charge = CODES[rng.randrange(len(CODES))]
            line = out.new("claim_line")
            lines.append((line, code, charge))
            out.add("claim_line", line, p, claim, n + 1, code, "[]", 1, charge, "[1]", dos)
        total = sum(c for _, _, c in lines)
        pcn = f"B{p:03d}{k:07d}"
        status = "ready"
        out.event(claim, "coded", "ready", created, 10)
        if submitted > END or created > END:
            out.add("claim", claim, p, patient, payer, provider, p, status, "1", pcn, '["L57.0"]', total, dos,
                    _ts(min(created, END)), _ts(min(created, END)))
            continue
        who = (patient, payer, claim)
        out.entry(created, "charge", f"charge:claim:{claim}",
                  [*(("1100", c, *who, line) for line, _, c in lines), ("4000", -total, *who, None)])
        if rng.random() < 0.04:  # the scrubber stopped it first
            out.event(claim, "ready", "scrub_errors", created, 11)
            out.event(claim, "scrub_errors", "ready", created, 12)
        out.event(claim, "ready", "submitted", submitted, 15)
        if rng.random() < 0.02:  # the clearinghouse rejected it; sent again the next day
            out.event(claim, "submitted", "rejected", submitted + datetime.timedelta(days=1), 9)
            out.event(claim, "rejected", "ready", submitted + datetime.timedelta(days=1), 10)
            submitted += datetime.timedelta(days=1)
            out.event(claim, "ready", "submitted", submitted, 15)
        status = "submitted"
        if submitted + datetime.timedelta(days=1) <= END:
            out.event(claim, "submitted", "accepted", submitted + datetime.timedelta(days=1), 8)
            status = "accepted"
        answered = submitted + datetime.timedelta(days=12 + rng.randrange(29))
        if answered > END:
            out.add("claim", claim, p, patient, payer, provider, p, status, "1", pcn, '["L57.0"]', total, dos,
                    _ts(created), _ts(submitted))
            continue
        remittance = out.remittance(answered)
        if rng.random() < 0.08:
            status = "denied"
            _denied(out, rng, claim, patient, payer, lines, answered, remittance, total)
        else:
            status = "paid"
            _paid(out, rng, claim, patient, payer, lines, answered, remittance, total)
        out.event(claim, "accepted", status, answered, 16)
        out.add("claim", claim, p, patient, payer, provider, p, status, "1", pcn, '["L57.0"]', total, dos,
                _ts(created), _ts(answered))
    return out


def _pay_lines(out: _Practice, rng: random.Random, claim: int, patient: int, payer: int,
               lines: list[tuple[int, str, int]], day: datetime.date, remittance: int, status_code: str,
               from_account: str, key: str) -> list[tuple[int, int]]:
    """The payer's payment of every line (from ``from_account``): the line adjudications and the entry; returns
    (line, patient responsibility) per line."""
    postings: list[tuple[str, int, int | None, int | None, int, int | None]] = []
    owed = []
    shares = rng.random() < 0.7
    for line, code, charge in lines:
        allowed = charge * rng.randrange(55, 76) // 100
        patient_share = allowed // 5 if shares else 0
        paid = allowed - patient_share
        out.add("line_adjudication", out.new("line_adjudication"), out.p, claim, line, remittance, payer,
                status_code, code, "[]", 1, paid, allowed, "[]", "[]", day)
        postings += [("1000", paid, patient, payer, claim, line),
                     ("4100", charge - allowed, patient, payer, claim, line),
                     ("1200", patient_share, patient, None, claim, line),
                     (from_account, -charge, patient, payer, claim, line)]
        owed.append((line, patient_share))
    out.entry(day, "remittance", key, postings)
    return owed


def _paid(out: _Practice, rng: random.Random, claim: int, patient: int, payer: int,
          lines: list[tuple[int, str, int]], day: datetime.date, remittance: int, total: int) -> None:
    owed = _pay_lines(out, rng, claim, patient, payer, lines, day, remittance, "1", "1100", f"era:{claim}:1")
    if rng.random() < 0.02:
        line, code, charge = lines[0]
        out.add("denial_item", out.new("denial_item"), out.p, claim, remittance, payer, f"under:{claim}",
                "underpayment", f"[{line}]", "[1]", f'["{code}"]', "CO", "45", "[]", "contractual", "appeal",
                "paid under the contract", "[]", "[]", max(charge // 20, 1), day, "open", NOW, NOW)
    _patient_side(out, rng, claim, patient, owed, day)


def _patient_side(out: _Practice, rng: random.Random, claim: int, patient: int, owed: list[tuple[int, int]],
                  answered: datetime.date) -> None:
    """The statement, and the patient's payment or a small-balance write-off, of what the patient owes."""
    share = sum(cents for _, cents in owed)
    if not share:
        return
    stated = answered + datetime.timedelta(days=5)
    if stated <= END:
        statement = out.statements.get((patient, stated))
        if statement is None:
            statement = out.statements[(patient, stated)] = out.new("statement")
            out.add("statement", statement, out.p, patient, stated, stated + datetime.timedelta(days=21), share,
                    "statement", f"B{statement:010d}", "print", "sent", "{}", "bench", _ts(stated, 5))
        out.add("statement_claim", out.new("statement_claim"), out.p, statement, claim, share)
    who = (patient, None, claim)
    if rng.random() < 0.65:
        day = answered + datetime.timedelta(days=10 + rng.randrange(71))
        if day <= END:
            out.entry(day, "patient_payment", f"patient-payment:{claim}",
                      [p for line, cents in owed for p in (("1000", cents, *who, line), ("1200", -cents, *who, line))])
    elif share < 1500 and answered + datetime.timedelta(days=95) <= END:
        out.entry(answered + datetime.timedelta(days=95), "small_balance", f"small-balance:{claim}",
                  [p for line, cents in owed for p in (("4310", cents, *who, line), ("1200", -cents, *who, line))])


def _denied(out: _Practice, rng: random.Random, claim: int, patient: int, payer: int,
            lines: list[tuple[int, str, int]], day: datetime.date, remittance: int, total: int) -> None:
    group, carc, category = DENIALS[rng.randrange(len(DENIALS))]
    postings: list[tuple[str, int, int | None, int | None, int, int | None]] = []
    for line, code, charge in lines:
        out.add("line_adjudication", out.new("line_adjudication"), out.p, claim, line, remittance, payer, "4", code,
                "[]", 1, 0, 0, f'[["{group}", "{carc}", {charge}]]', "[]", day)
        postings += [("1150", charge, patient, payer, claim, line), ("1100", -charge, patient, payer, claim, line)]
    out.entry(day, "remittance", f"era:{claim}:1", postings)
    item = out.new("denial_item")
    fate = rng.randrange(3)
    later = day + datetime.timedelta(days=30 + rng.randrange(41))
    resolved = fate < 2 and later <= END
    out.add("denial_item", item, out.p, claim, remittance, payer, f"denial:{claim}", "denial",
            "[" + ", ".join(str(line) for line, _, _ in lines) + "]",
            "[" + ", ".join(str(n + 1) for n in range(len(lines))) + "]",
            "[" + ", ".join(f'"{code}"' for _, code, _ in lines) + "]", group, carc, "[]", category, "fix_and_resubmit",
            "denied by the payer", "[]", "[]", total, day, "resolved" if resolved else "open", NOW, NOW)
    if not resolved:
        return
    if fate == 0:  # appealed and won: paid on reprocessing
        out.add("appeal", out.new("appeal"), out.p, item, claim, f"appeal-{item}.pdf",
                day + datetime.timedelta(days=10), "won", later)
        owed = _pay_lines(out, rng, claim, patient, payer, lines, later, out.remittance(later), "1", "1150",
                          f"era:{claim}:2")
        _patient_side(out, rng, claim, patient, owed, later)
    else:
        out.entry(later, "write_off", f"denial-write-off:{claim}",
                  [p for line, _, charge in lines for p in (("4200", charge, patient, payer, claim, line),
                                                            ("1150", -charge, patient, payer, claim, line))])


def _load_practices(args: tuple[str, list[int], int, int]) -> int:
    """Runs in a worker process: generate and COPY the given practices; returns the rows written."""
    import psycopg

    schema, numbers, claims, patients = args
    written = 0
    with psycopg.connect(_libpq(schema)) as connection:
        connection.execute("SET session_replication_role = replica")
        for number in numbers:
            rows = _practice_rows(number, claims, patients)
            with connection.cursor() as cursor:
                for table in ("ledger_account", "provider", "service_location", *STRIDE):
                    lines = rows.rows[table]
                    if not lines:
                        continue
                    with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                        for start in range(0, len(lines), 50_000):
                            copy.write("\n".join(lines[start:start + 50_000]) + "\n")
                    written += len(lines)
            connection.commit()
            print(f"  practice {number}: {sum(len(v) for v in rows.rows.values()):,} rows", flush=True)
    return written


@contextmanager
def _connection(schema: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(_libpq(schema), autocommit=True) as connection:
        yield connection


def present(schema: str, practices: int, lines: int) -> bool:
    """Whether the schema holds this generator version's company of this size."""
    with _connection("public") as connection:
        found = connection.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'bench_marker'",
            (schema,)).fetchone()
        if not found:
            return False
        row = connection.execute(f'SELECT version, practices, lines FROM "{schema}".bench_marker').fetchone()
    return row is not None and tuple(row) == (VERSION, practices, lines)


def forget(schema: str) -> None:
    """Mark the schema's company as used up: the next ``build`` makes it again."""
    with _connection("public") as connection:
        connection.execute(f'DROP TABLE IF EXISTS "{schema}".bench_marker')


def build(schema: str, *, practices: int, lines: int, processes: int = 2) -> float | None:
    """The company in ``schema`` (made again unless already there); returns the seconds it took, None if reused.

    The schema is always migrated to the head revision (a new migration's indexes are built on the data)."""
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.summaries import rebuild_statements

    if present(schema, practices, lines):
        database = open_database(schema_url(schema))
        upgrade(database)
        database.dispose()
        return None
    start = time.perf_counter()
    claims = lines * 2 // (5 * practices)
    patients = max(claims // 4, 10)
    with _connection("public") as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{schema}"')
    database = open_database(schema_url(schema))
    upgrade(database)
    database.dispose()
    with _connection(schema) as connection:
        dropped = [(name, definition) for name, definition in connection.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "AND n.nspname = i.schemaname WHERE i.schemaname = %s AND i.tablename = ANY(%s) "
            "AND NOT x.indisunique AND NOT x.indisprimary", (schema, list(BIG_TABLES)))]
        for name, _ in dropped:
            connection.execute(f'DROP INDEX "{schema}"."{name}"')
        connection.execute("INSERT INTO organization (id, name, created_at, require_totp) "
                           "VALUES (1, 'TEST BILLING COMPANY', %s, false)", (NOW,))
        with connection.cursor() as cursor:
            with cursor.copy("COPY practice (id, organization_id, code, legal_name, tin, billing_npi, taxonomy, "
                             "address_line1, city, state, zip_code, created_at) FROM STDIN") as copy:
                for p in range(1, practices + 1):
                    copy.write_row((p, 1, f"P{p:03d}", f"TEST DERMATOLOGY {p}", f"{900000000 + p}",
                                    f"{1_500_000_000 + p}", "207N00000X", f"{p} TEST AVE", "ANYTOWN", "PA", "19099",
                                    NOW))
            with cursor.copy("COPY payer (id, organization_id, name, payer_identifier, kind, "
                             "claim_filing_indicator_code, timely_filing_days) FROM STDIN") as copy:
                for i, (name, kind, indicator) in enumerate(PAYERS, start=1):
                    copy.write_row((i, 1, name, f"BP{i:03d}", kind, indicator, 365))
    print(f"report company: {practices} practices, {lines:,} claim lines into schema {schema} "
          f"({processes} processes)", flush=True)
    numbers = list(range(1, practices + 1))
    chunks = [(schema, numbers[i::processes], claims, patients) for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        written = sum(pool.map(_load_practices, chunks))
    loaded = time.perf_counter() - start
    print(f"  {written:,} rows in {loaded:.0f} s; rebuilding {len(dropped)} indexes", flush=True)
    with _connection(schema) as connection:
        connection.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in dropped:
            connection.execute(definition)
        for table in LOADED:
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
        for statement in rebuild_statements():  # the ledger summaries post_many keeps, made from the load
            connection.execute(statement)
        print(f"  indexes and summaries in {time.perf_counter() - start - loaded:.0f} s; analyzing", flush=True)
        connection.execute("ANALYZE")
        connection.execute("CREATE TABLE bench_marker (version text, practices integer, lines integer, "
                           "seconds double precision)")
        seconds = time.perf_counter() - start
        connection.execute("INSERT INTO bench_marker VALUES (%s, %s, %s, %s)", (VERSION, practices, lines, seconds))
    print(f"report company built in {seconds:.0f} s", flush=True)
    return seconds


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    build(sys.argv[3] if len(sys.argv) > 3 else "bench_reports", practices=count, lines=size)
