"""Keeping up with CMS releases (issue 20): load them, say what changed, and act on it.

- ``update_releases``: read CMS files (``reference.release_files`` places each), keep each release in the
  ``reference_release`` table; the same period with other content is a new revision, the same content nothing.
- ``releases_known``: the shipped releases plus those loaded; ``scrub_tables_in_force`` the scrubber's tables with
  them (a date of service answers from the release in force on it).
- ``release_changes``: what changed from one period to another for every kind, for a practice at its volume.
- ``rescrub_unsent_claims``: claims not yet sent, scrubbed again against the releases in force for their date of
  service; those whose findings changed are listed. ``held_encounters_with_deleted_codes`` flags the held
  encounters whose diagnoses a release deleted.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from dermbill.core.access import Permission, allowed, require
from dermbill.core.coding.tables import Icd10Catalog, Icd10Release
from dermbill.core.dates import DateRange
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.core.ncci import NO_DELETION, MueRelease, MueTable, MueValue, PtpEdit, PtpRelease, PtpTable
from dermbill.core.releases import (
    Change,
    Period,
    Release,
    ReleaseKind,
    RvuChanged,
    bulletin_sections,
    counted,
    diff_releases,
    engine_codes_deleted,
    is_dermatology_icd10,
    release_in_force,
)
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.core.training.release import ReleaseModule, release_modules
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    EncounterRow,
    PracticeRow,
    ReferenceReleaseRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.pdf.release_bulletin import Bulletin, TrainingQuiz, bulletin_pdf
from dermbill.reference.coding_tables import load_site_diagnoses
from dermbill.reference.release_files import (
    content_hash,
    merge_parts,
    read_release,
    recognise,
    release_files,
    release_from_text,
    release_text,
    shipped_releases,
)
from dermbill.reference.scrub_tables import scrub_tables

if TYPE_CHECKING:
    from dermbill.services.users import User

VOLUME_DAYS = 365  # the practice's volume: units billed with dates of service in the year before the report


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    kind: str
    period: str
    revision: int
    outcome: str  # loaded | revision | unchanged
    name: str
    entries: int
    files: tuple[str, ...]

    @property
    def message(self) -> str:
        if self.outcome == "unchanged":
            return (f"{self.name}: the same content is already loaded as revision {self.revision}; nothing stored "
                    f"({', '.join(self.files)})")
        if self.outcome == "revision":
            return (f"{self.name}: differs from the release loaded before, kept as revision {self.revision} (the "
                    f"earlier revisions are kept too); {counted(self.entries, 'entry', 'entries')} from "
                    f"{', '.join(self.files)}")
        return (f"{self.name}: loaded, {counted(self.entries, 'entry', 'entries')}, dates of service from "
                f"{self.period} on")


def update_releases(database: Database, paths: Sequence[Path], *, actor: str = "reference") -> list[LoadOutcome]:
    """Load every CMS file named (folders and zips opened). Every file is placed before anything is stored: one
    that cannot be placed refuses the whole update, naming it."""
    if not paths:
        raise InvalidInput("name at least one CMS file or folder to load")
    groups: dict[tuple[ReleaseKind, Period], list[tuple[str, Release]]] = {}
    for file in release_files(list(paths)):
        found = recognise(file)
        groups.setdefault((found.kind, found.period), []).append((file.name, read_release(file, found)))
    if not groups:
        raise InvalidInput(f"no files found in {', '.join(str(p) for p in paths)}")
    outcomes = []
    with UnitOfWork(database, actor=actor) as uow:
        for (kind, period), parts in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0].value)):
            if len(parts) > 1 and kind is not ReleaseKind.PTP:
                raise InvalidInput(f"{', '.join(n for n, _ in parts)}: two files for the same {kind.label} "
                                   f"release {period}; load one at a time")
            release = merge_parts([r for _, r in parts])
            text = release_text(release)
            digest = content_hash(text)
            files = tuple(n for n, _ in parts)
            earlier = list(uow.session.scalars(select(ReferenceReleaseRow).where(
                ReferenceReleaseRow.kind == kind.value, ReferenceReleaseRow.period == period.label)
                .order_by(ReferenceReleaseRow.revision)))
            same = next((row for row in earlier if row.content_hash == digest), None)
            if same is not None:
                outcomes.append(LoadOutcome(kind.value, period.label, same.revision, "unchanged", same.name,
                                            same.entries, files))
                continue
            revision = (earlier[-1].revision + 1) if earlier else 1
            name = release.name if revision == 1 else f"{release.name}, revision {revision}"
            row = ReferenceReleaseRow(kind=kind.value, period=period.label, revision=revision, starts=period.starts,
                                      name=name[:200], source_files=list(files), entries=release.entries,
                                      content_hash=digest, content=text, loaded_at=uow.clock(), loaded_by=actor)
            uow.session.add(row)
            uow.session.flush()
            uow.audit("reference.release_loaded", "reference_release", row.id,
                      detail={"kind": kind.value, "period": period.label, "revision": revision,
                              "files": list(files)})
            outcomes.append(LoadOutcome(kind.value, period.label, revision, "revision" if earlier else "loaded",
                                        name, release.entries, files))
        uow.commit()
    return outcomes


def releases_known(database: Database) -> list[Release]:
    """The shipped releases and every revision loaded, oldest period first (read once per set of rows loaded)."""
    return _known(database)[1]


def tables_in_force(database: Database) -> ScrubTables:
    """The scrubber's tables with every release loaded into ``database`` (built once per set of releases)."""
    key, releases = _known(database)
    tables = _TABLES.get(key)
    if tables is None:
        _TABLES.clear()
        tables = _TABLES[key] = scrub_tables_in_force(releases)
    return tables


_Key = tuple[tuple[Any, ...], ...]
_READ: dict[_Key, list[Release]] = {}  # one set of releases kept: a full CMS PTP quarter is large
_TABLES: dict[_Key, ScrubTables] = {}


def _known(database: Database) -> tuple[_Key, list[Release]]:
    with database.sessions() as session:
        stored = select(ReferenceReleaseRow.id, ReferenceReleaseRow.kind, ReferenceReleaseRow.period,
                        ReferenceReleaseRow.revision, ReferenceReleaseRow.content_hash).order_by(ReferenceReleaseRow.id)
        key = tuple(tuple(row) for row in session.execute(stored))
        if key not in _READ:
            rows = session.scalars(select(ReferenceReleaseRow).order_by(ReferenceReleaseRow.starts,
                                                                         ReferenceReleaseRow.revision)).all()
            loaded = [release_from_text(ReleaseKind(row.kind), Period(row.starts, row.period), row.name,
                                        row.revision, row.content) for row in rows]
            _READ.clear()
            _READ[key] = [*shipped_releases(), *loaded]
    return key, _READ[key]


def scrub_tables_in_force(releases: Sequence[Release], base: ScrubTables | None = None) -> ScrubTables:
    """The scrubber's tables with the loaded PTP, MUE and ICD-10-CM releases added: each date of service is
    checked against the release in force on it (the newest revision of the latest period started)."""
    tables = base or scrub_tables()
    loaded = [r for r in releases if r.revision >= 1]
    if not loaded:
        return tables
    coding = tables.coding
    ptp = PtpTable(tuple(sorted(
        [*coding.ptp.releases, *(_ptp_release(r) for r in _newest_revisions(loaded, ReleaseKind.PTP))],
        key=lambda r: r.starts)))
    mue = MueTable(tuple(sorted(
        [*coding.mue.releases, *(_mue_release(r) for r in _newest_revisions(loaded, ReleaseKind.MUE))],
        key=lambda r: r.starts)))
    icd = _icd_catalog(coding.icd10, _newest_revisions(loaded, ReleaseKind.ICD10CM))
    return replace(tables, coding=replace(coding, ptp=ptp, mue=mue, icd10=icd))


def _newest_revisions(releases: Sequence[Release], kind: ReleaseKind) -> list[Release]:
    newest: dict[str, Release] = {}
    for release in releases:
        if release.kind is kind and (release.period.label not in newest
                                     or newest[release.period.label].revision < release.revision):
            newest[release.period.label] = release
    return sorted(newest.values(), key=lambda r: r.period.starts)


def _ptp_release(release: Release) -> PtpRelease:
    edits: dict[tuple[str, str], tuple[PtpEdit, ...]] = {
        pair: (PtpEdit(pair[0], pair[1], indicator, 0, NO_DELETION),) for pair, indicator in release.ptp.items()}
    return PtpRelease(release.name, release.period.starts, edits)


def _mue_release(release: Release) -> MueRelease:
    return MueRelease(release.name, release.period.starts, {
        code: MueValue(code, limit.units, limit.adjudication_indicator, "") for code, limit in release.mue.items()})


def _icd_catalog(shipped: Icd10Catalog, loaded: list[Release]) -> Icd10Catalog:
    if not loaded:
        return shipped
    years = [Icd10Release(r.name, DateRange(r.period.starts, r.period.starts.replace(year=r.period.starts.year + 1)
                                            - datetime.timedelta(days=1)),
                          frozenset(r.icd10cm), _categories(r.icd10cm.keys())) for r in loaded]
    starts = {y.effective.effective_from for y in years}
    kept = [y for y in shipped.releases if y.effective.effective_from not in starts]
    return Icd10Catalog(tuple(sorted([*kept, *years], key=lambda y: y.effective.effective_from)))


def _categories(codes: Any) -> frozenset[str]:
    """Every prefix of a billable code that is not itself billable (L57 for L57.0): valid, but not to be billed."""
    billable = set(codes)
    prefixes = {code[:n].rstrip(".") for code in billable for n in range(3, len(code))}
    return frozenset(prefixes - billable)


# --- what changed ----------------------------------------------------------------------------------------------


def _without(release: str, label: str) -> str:
    """"NCCI PTP edits 2026q4 (v323r0 f1)" under the heading "NCCI PTP edits": the release without its kind again."""
    return release[len(label):].strip() if release.startswith(label + " ") else release


@dataclass(frozen=True, slots=True)
class KindChanges:
    kind: ReleaseKind
    old: str  # the release in force at the start of the "from" period ("none" when no release covers it)
    new: str
    changes: tuple[Change, ...]

    @property
    def releases(self) -> str:
        """"NCCI PTP edits: 2024q3 (shipped) -> 2026q4 (v323r0 f1)": the two releases, the kind named once."""
        return f"{self.kind.label}: {_without(self.old, self.kind.label)} -> {_without(self.new, self.kind.label)}"


@dataclass(frozen=True, slots=True)
class ChangeReport:
    from_period: Period
    to_period: Period
    practice: str | None
    kinds: tuple[KindChanges, ...]
    engine_codes_missing: tuple[str, ...]  # codes the coding engine produces absent from the ICD-10-CM release

    @property
    def changes(self) -> list[Change]:
        return [c for k in self.kinds for c in k.changes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_period.label, "to": self.to_period.label, "practice": self.practice,
            "releases": [{"kind": k.kind.value, "from_release": k.old, "to_release": k.new,
                          "changes": [c.as_dict() for c in k.changes]} for k in self.kinds],
            "engine_codes_missing": list(self.engine_codes_missing),
        }


def site_table_entries() -> dict[str, tuple[str, ...]]:
    """ICD-10-CM code -> the site-table entries coding it (``family/site/laterality``)."""
    entries: dict[str, list[str]] = {}
    for (family, site, side, sex), code in load_site_diagnoses().codes.items():
        label = "/".join(p for p in (family, site, side, sex) if p)
        entries.setdefault(code, []).append(label)
    return {code: tuple(sorted(labels)) for code, labels in entries.items()}


def engine_icd10_codes() -> frozenset[str]:
    """The ICD-10-CM codes the coding engine can suggest from its site table."""
    diagnoses = load_site_diagnoses()
    return frozenset(diagnoses.codes.values()) | frozenset(diagnoses.exceptions.values())


def release_changes(database: Database, from_period: str, to_period: str, *, practice: str | None = None,
                    as_of: datetime.date) -> ChangeReport:
    """For each kind, the release in force at the start of ``from_period`` against the one at the start of
    ``to_period``; with a practice, only the procedure codes it billed in the year before ``as_of``, at its
    volume."""
    start, end = Period.parse(from_period), Period.parse(to_period)
    if end.starts <= start.starts:
        raise InvalidInput(f"--to {end} must come after --from {start}")
    volume = practice_volume(database, practice, as_of=as_of) if practice else None
    releases = releases_known(database)
    entries, engine = site_table_entries(), engine_icd10_codes()
    kinds = []
    missing: list[str] = []
    for kind in ReleaseKind:
        old = release_in_force(releases, kind, start.starts)
        new = release_in_force(releases, kind, end.starts)
        if new is None:
            continue
        if kind is ReleaseKind.ICD10CM:
            missing = engine_codes_deleted(new, engine)
        if old is None or (old.period, old.revision) == (new.period, new.revision):
            kinds.append(KindChanges(kind, old.name if old else "none", new.name, ()))
            continue
        changes = diff_releases(old, new, practice_codes=volume, site_entries=entries, engine_codes=engine)
        kinds.append(KindChanges(kind, old.name, new.name, tuple(changes)))
    return ChangeReport(start, end, practice, tuple(kinds), tuple(missing))


@dataclass(frozen=True, slots=True)
class PracticeChoice:
    code: str
    label: str  # "ERA ERA TEST DERMATOLOGY"


def practice_view_choices(user: User, database: Database) -> list[PracticeChoice]:
    """The practices whose volume view ``user`` may ask for: their own, and none without a role that views
    claims (the volume is the practice's claim lines)."""
    if not user.practice_ids or not allowed(user.roles, Permission.VIEW_CLAIMS):
        return []
    with database.sessions() as session:
        rows = session.execute(select(PracticeRow.code, PracticeRow.legal_name)
                               .where(PracticeRow.id.in_(user.practice_ids)).order_by(PracticeRow.code)).all()
    return [PracticeChoice(code, f"{code} {name}") for code, name in rows]


def release_changes_for(database: Database, user: User, from_period: str, to_period: str, *,
                        practice: str | None = None, as_of: datetime.date) -> ChangeReport:
    """``release_changes`` as a signed-in user may see it. Without a practice: the codes and rules, which every
    staff member may read. With one: only a practice of the user's, and only for a role that views claims
    (NotPermitted otherwise), at that practice's volume. Not audited: the volume is a count of units per code,
    no patient and no claim is named (as the reports' summaries are not audited)."""
    chosen = (practice or "").strip()
    if not chosen:
        return release_changes(database, from_period, to_period, as_of=as_of)
    require(user.roles, Permission.VIEW_CLAIMS)
    if chosen not in {c.code for c in practice_view_choices(user, database)}:
        raise InvalidInput(f"practice '{chosen[:20]}' is not one of yours; choose one of your practices or none")
    return release_changes(database, from_period, to_period, practice=chosen, as_of=as_of)


def practice_volume(database: Database, practice: str, *, as_of: datetime.date) -> dict[str, int]:
    """Units billed per procedure code by the practice, dates of service in the year before ``as_of``."""
    with database.sessions() as session:
        practice_id = session.scalar(select(PracticeRow.id).where(PracticeRow.code == practice.strip()))
        if practice_id is None:
            raise NotFound(f"practice '{practice}' not found; give its code (dermbill practices list)")
        rows = session.execute(
            select(ClaimLineRow.procedure_code, func.sum(ClaimLineRow.units))
            .join(ClaimRow, (ClaimRow.id == ClaimLineRow.claim_id) & (ClaimRow.practice_id == ClaimLineRow.practice_id))
            .where(ClaimLineRow.practice_id == practice_id, ClaimRow.frequency_code == "1",
                   ClaimLineRow.service_date_from > as_of - datetime.timedelta(days=VOLUME_DAYS),
                   ClaimLineRow.service_date_from <= as_of)
            .group_by(ClaimLineRow.procedure_code)).all()
    return {code: int(units or 0) for code, units in rows}


# --- acting on it ----------------------------------------------------------------------------------------------

# Claims scrubbed and not sent: their stored findings are the result to compare. A claim only coded has none yet
# (``dermbill scrub --all`` scrubs it, against the same releases in force).
UNSENT = ("scrub_errors", "ready")


@dataclass(frozen=True, slots=True)
class Rescrubbed:
    practice: str
    claim: str  # patient control number
    date_of_service: datetime.date
    status_before: str
    status_after: str
    findings_added: tuple[str, ...]  # "ncci-ptp (lines 1, 2)"
    findings_removed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"practice": self.practice, "claim": self.claim, "date_of_service": self.date_of_service.isoformat(),
                "status_before": self.status_before, "status_after": self.status_after,
                "findings_added": list(self.findings_added), "findings_removed": list(self.findings_removed)}


def rescrub_unsent_claims(database: Database, *, as_of: datetime.date, actor: str = "reference") -> list[Rescrubbed]:
    """Scrub every claim not yet sent against the releases in force for its date of service; return those whose
    findings changed (their new findings and status are stored, as ``dermbill scrub`` would)."""
    from dermbill.services.scrubbing import scrub_claim_row

    tables = tables_in_force(database)
    changed = []
    with UnitOfWork(database, actor=actor) as uow:
        claims = list(uow.session.scalars(select(ClaimRow).where(ClaimRow.status.in_(UNSENT))
                                          .order_by(ClaimRow.id)))
        for claim in claims:
            repo = uow.practice(claim.practice_id)
            before = {_finding_key(f.rule, f.lines) for f in repo.rows(ClaimFindingRow,
                                                                       ClaimFindingRow.claim_id == claim.id)}
            status = claim.status
            outcome = scrub_claim_row(repo, claim, as_of=as_of, tables=tables)
            after = {_finding_key(f.rule, f.lines) for f in outcome.result.findings}
            if before != after:
                day = min((line.service_date_from for line in repo.rows(ClaimLineRow,
                                                                        ClaimLineRow.claim_id == claim.id)),
                          default=as_of)
                changed.append(Rescrubbed(repo.practice.code, claim.patient_control_number, day, status,
                                          claim.status, tuple(sorted(after - before)), tuple(sorted(before - after))))
        uow.commit()
    return changed


def _finding_key(rule: str, lines: Sequence[int]) -> str:
    return f"{rule} (line{'s' if len(lines) > 1 else ''} {', '.join(str(n) for n in lines)})" if lines else rule


@dataclass(frozen=True, slots=True)
class FlaggedEncounter:
    practice: str
    encounter_id: int
    date_of_service: datetime.date
    deleted_codes: tuple[str, ...]
    release: str

    def as_dict(self) -> dict[str, Any]:
        return {"practice": self.practice, "encounter_id": self.encounter_id,
                "date_of_service": self.date_of_service.isoformat(), "deleted_codes": list(self.deleted_codes),
                "release": self.release}


def held_encounters_with_deleted_codes(database: Database) -> list[FlaggedEncounter]:
    """Held encounters coded with an ICD-10-CM code (on their claim, or written in their documentation) that the
    loaded release in force for their date of service does not hold."""
    releases = releases_known(database)
    flagged = []
    with database.sessions() as session:
        rows = session.execute(
            select(EncounterRow.id, EncounterRow.date_of_service, PracticeRow.code, EncounterRow.documentation,
                   ClaimRow.diagnosis_codes)
            .join(PracticeRow, PracticeRow.id == EncounterRow.practice_id)
            .outerjoin(ClaimRow, (ClaimRow.encounter_id == EncounterRow.id)
                       & (ClaimRow.practice_id == EncounterRow.practice_id))
            .where(EncounterRow.status == "held").order_by(EncounterRow.id)).all()
    for encounter_id, day, practice, documentation, claim_codes in rows:
        release = release_in_force(releases, ReleaseKind.ICD10CM, day)
        if release is None or release.revision == 0:
            continue  # the shipped release: the coding engine already codes against it
        codes = dict.fromkeys([*(claim_codes or ()), *_written_codes(documentation)])
        gone = tuple(code for code in codes if code not in release.icd10cm)
        if gone:
            flagged.append(FlaggedEncounter(practice, encounter_id, day, gone, release.name))
    return flagged


_ICD10_CODE = re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")


def _written_codes(value: Any) -> list[str]:
    """ICD-10-CM codes written in capitals anywhere in an encounter's documentation (diagnosis keys are not)."""
    if isinstance(value, str):
        return [value] if _ICD10_CODE.match(value) else []
    if isinstance(value, dict):
        return [code for item in value.values() for code in _written_codes(item)]
    if isinstance(value, list):
        return [code for item in value for code in _written_codes(item)]
    return []


def dermatology_codes_deleted(release: Release, previous: Release) -> list[str]:
    return sorted(c for c in previous.icd10cm.keys() - release.icd10cm.keys() if is_dermatology_icd10(c))


def release_training(report: ChangeReport) -> list[ReleaseModule]:
    """The training modules generated from a change report: one for coders, one for the front desk and billers
    (``core.training.release``); a group the changes do not touch gets none."""
    return release_modules(report.changes, report.from_period.label, report.to_period.label)


def release_bulletin(report: ChangeReport, *, training: bool = False) -> Bulletin:
    """The staff bulletin of a change report: one summary line per release compared, the changes by audience, and
    with ``training`` the modules generated from them (questions, then the answers)."""
    scope = f" for practice {report.practice}" if report.practice else ""
    summary = [f"{k.releases}: {counted(len(k.changes), 'change')}" for k in report.kinds]
    if report.practice:
        effect = sum((c.fee_effect for c in report.changes if isinstance(c, RvuChanged)), Money(0))
        sign = "-" if effect.cents < 0 else "+"
        summary.append(f"Fee effect at practice {report.practice}'s volume (the units it billed in the year before "
                       f"the report), national non-facility fees: {sign}${Money(abs(effect.cents))}")
    if report.engine_codes_missing:
        summary.append("Codes the coding engine suggests that the new ICD-10-CM release lacks: "
                       + ", ".join(report.engine_codes_missing))
    modules = release_training(report) if training else []
    quizzes = [TrainingQuiz(m.title, m.lesson, [(q.prompt, q.choices, q.answer, q.explanation) for q in m.questions])
               for m in modules]
    return Bulletin(f"Reference changes {report.from_period} to {report.to_period}{scope}", summary,
                    bulletin_sections(report.changes), quizzes)


def write_release_bulletin(report: ChangeReport, target: Path, *, training: bool = False) -> Path:
    """Write the bulletin PDF (with ``training``, the training modules after it), never over an existing file."""
    if target.exists():
        raise InvalidInput(f"{target} exists; choose another file name (a bulletin is never written over a file)")
    try:
        with target.open("xb") as handle:
            handle.write(bulletin_pdf(release_bulletin(report, training=training)))
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror}") from None
    return target
