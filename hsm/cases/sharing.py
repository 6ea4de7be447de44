"""The investigation report (13.14) and sharing items with the parties (13.9, 13.15, 19.3).

Reads and writes of this sub-area, beside ``queries`` and ``operations`` (whose shared pieces
it uses: the case scope, ``_done``/``refuse``, the investigation's own rules). What a copy
holds is decided by ``hsm.cases.redaction`` (plain Python); this module feeds it the case's
texts and stores what it made.

- **The report** is written in sections by the Investigating Officer, while the case is in
  the investigation; each save that changes it is a new version; once finished (which needs
  the investigation's conclusion, 13.16) it no longer changes. Its list of appendices is
  made from the evidence items, its conclusion is the investigation's.
- **Sharing.** Meeting notes, evidence items and the finished report are shared with the
  reporting or the responding party. For the responding party, every passage that repeats
  a note marked as about the reporting party's wellbeing or past is withheld, whatever staff
  chose, and the copy is checked once more before it is stored. An item marked "not
  relevant, redacted" is never shared. The copy is stored exactly as shared (encrypted, with
  its SHA-256), with who shared it, when, with whom and from which version; the original
  never changes. Sharing is audited with the passages withheld (numbers, never words).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from hsm import workflow
from hsm.accounts.models import User
from hsm.cases import redaction
from hsm.cases import workflow as case_workflow
from hsm.cases.evidence import EvidenceKind
from hsm.cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    EvidenceItem,
    Investigation,
    InvestigationMeeting,
    InvestigationReport,
    SharedCopy,
)
from hsm.cases.operations import (
    Reason,
    _audit,
    _done,
    _investigating,
    _touch,
    now,
    refuse,
)
from hsm.cases.queries import (
    MAX_ID,
    EvidenceIntegrityError,
    Section,
    evidence_bytes,
    facts_for,
    granted_for,
    load_case_for,
    meeting_label,
    party_label,
    sections_for,
)
from hsm.cases.terms import (
    CONCLUSION_LABELS,
    PARTY_ROLE_LABELS,
    REPORT_SECTIONS,
    STAFF_ONLY_SECTIONS,
    ItemKind,
    Marking,
    PartyRole,
    Stage,
)
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _, _l, force_locale, format_date
from hsm.security import Permission, deny

#: The sections a report cannot be finished without.
NEEDED_TO_FINISH = ("overview", "chronology", "facts_established")
#: When items are shared: during the investigation, and before the hearing.
SHARING_STAGES = frozenset({Stage.INVESTIGATION, Stage.HEARING})
#: The parties items are shared with.
SHARED_WITH = (PartyRole.REPORTING, PartyRole.RESPONDING)


REPORT_FINISHED = Reason("report_finished", _l("The report is finished: its text no longer "
                                               "changes."))
REPORT_INCOMPLETE = Reason("report_incomplete", _l("Write the overview, the chronology and the "
                                                   "facts established before finishing the "
                                                   "report."))
NO_STAFF_RECOMMENDATION = Reason(
    "no_staff_recommendation",
    _l("The responding party is a member of staff: write the recommendation on whether the "
       "case should be referred under the staff disciplinary policy (13.18) before finishing "
       "the report."))
REPORT_NOT_FINISHED = Reason("report_not_finished", _l("The report is shared once it is "
                                                       "finished."))
NOT_SHARING = Reason("not_sharing_stage", _l("Items are shared with the parties during the "
                                             "investigation and before the hearing."))
NOT_SHARED_WITH = Reason("not_shared_with", _l("Items are shared with the reporting party or "
                                               "the responding party."))
ITEM_REDACTED = Reason("item_redacted", _l("This item is marked not relevant, redacted: it is "
                                           "never shared with a party."))
LEAK = Reason("wellbeing_leak", _l("What would be shared repeats a note about the reporting "
                                   "party's wellbeing or past. Withhold that passage."))
PREVIEW_CHANGED = Reason("preview_changed", _l("What would be shared has changed since the "
                                               "preview. Check the new preview, then share "
                                               "it."))
PHRASE_MISSING = Reason("phrase_missing", _l("A phrase to withhold is not in the text. Copy "
                                             "it exactly as it is written."))

#: Reasons that leave nothing to choose on the redaction step (the others are mistakes there).
BLOCKING = frozenset({"not_shared_with", "item_redacted", "report_not_finished",
                      "not_sharing_stage", workflow.PERMISSION_REASON.code})


def blocked(reasons: Iterable[Reason]) -> bool:
    return any(r.code in BLOCKING for r in reasons)


# --- reading --------------------------------------------------------------------------------


def load_investigation_for(actor, case_id: int) -> Case:
    """A case in scope whose investigation ``actor`` reads; 404 otherwise (audited)."""
    case = load_case_for(actor, case_id)
    if Section.INVESTIGATION not in sections_for(actor, case):
        deny("investigation_out_of_scope", status=404)
    return case


def report_of(case: Case) -> InvestigationReport | None:
    return db.session.scalar(sa.select(InvestigationReport)
                             .where(InvestigationReport.case_id == case.id))


def investigation_of(case: Case) -> Investigation | None:
    return db.session.scalar(sa.select(Investigation).where(Investigation.case_id == case.id))


def evidence_of(case: Case) -> list[EvidenceItem]:
    """The case's evidence items by appendix (the files themselves are never loaded here)."""
    return list(db.session.scalars(sa.select(EvidenceItem).where(EvidenceItem.case_id == case.id)
                                   .order_by(EvidenceItem.appendix)))


def meetings_of(case: Case) -> list[InvestigationMeeting]:
    return list(db.session.scalars(
        sa.select(InvestigationMeeting).where(InvestigationMeeting.case_id == case.id)
        .order_by(InvestigationMeeting.held_on, InvestigationMeeting.id)))


def parties_shared_with(case: Case) -> list[CaseParty]:
    return [p for p in case.parties if p.role in SHARED_WITH]


def wellbeing_notes(case: Case) -> list[str]:
    """The words of the notes marked as about the reporting party's wellbeing or past: read
    here only to keep them out of what the responding party receives, never shown."""
    return [body for body in db.session.scalars(
        sa.select(CaseEvent.body).where(CaseEvent.case_id == case.id,
                                        CaseEvent.marking == Marking.WELLBEING_PAST))
            if body]


def shares_of(case: Case) -> list[SharedCopy]:
    return list(db.session.scalars(sa.select(SharedCopy).where(SharedCopy.case_id == case.id)
                                   .order_by(SharedCopy.shared_at, SharedCopy.id)))


def may_write_report(actor, case: Case) -> bool:
    return not _investigation_reasons(actor, case)


def may_share(actor, case: Case) -> bool:
    return not sharing_reasons(actor, case)


def _investigation_reasons(actor, case: Case) -> list[Reason]:
    return case_workflow.investigation_record_reasons(facts_for(case),
                                                      granted=granted_for(actor, case))


def sharing_reasons(actor, case: Case) -> list[Reason]:
    reasons = []
    if Permission.INVESTIGATE_CASES not in granted_for(actor, case):
        reasons.append(workflow.PERMISSION_REASON)
    if case.stage not in SHARING_STAGES:
        reasons.append(NOT_SHARING)
    return reasons


# --- the report (13.14) -------------------------------------------------------------------


def report_texts(report: InvestigationReport | None) -> dict[str, str]:
    return {name: (getattr(report, name) or "") if report else "" for name in REPORT_SECTIONS}


def report_sections(case: Case, *, party_copy: bool = False) -> dict:
    """The report's sections for this case, with their labels: the recommendation of 13.18
    only where the responding party is a member of staff, and never in a party's copy."""
    return {name: label for name, label in REPORT_SECTIONS.items()
            if name not in STAFF_ONLY_SECTIONS or (case.staff_respondent and not party_copy)}


def report_passages(report: InvestigationReport | None, *,
                    party_copy: bool = True) -> list[redaction.Passage]:
    """The report's passages; a party's copy (the default: what sharing works on) never holds
    a staff-only section."""
    return redaction.passages((name, text) for name, text in report_texts(report).items()
                              if not (party_copy and name in STAFF_ONLY_SECTIONS))


def finish_blockers(case: Case, texts: dict[str, str]) -> list[Reason]:
    """What the report still needs before it can be finished."""
    investigation = investigation_of(case)
    reasons = []
    if not all(texts.get(name, "").strip() for name in NEEDED_TO_FINISH):
        reasons.append(REPORT_INCOMPLETE)
    if case.staff_respondent and not texts.get("staff_recommendation", "").strip():
        reasons.append(NO_STAFF_RECOMMENDATION)
    if investigation is None or investigation.conclusion is None:
        reasons.append(case_workflow.NO_CONCLUSION)
    return reasons


def save_report(actor: User, case: Case, texts: dict[str, str]) -> InvestigationReport:
    """Save the report's sections (a draft). A save that changes the text is a new version;
    a finished report is never changed."""
    report = report_of(case)
    _investigating("save_investigation_report", case, actor,
                   (report is not None and report.finished_at is not None, REPORT_FINISHED))
    texts = {name: (texts.get(name) or "").strip() for name in REPORT_SECTIONS}
    if report is None:
        report = InvestigationReport(case_id=case.id, version=1, saved_at=now(),
                                     saved_by_id=actor.id, **{k: v or None
                                                              for k, v in texts.items()})
        db.session.add(report)
    elif report_texts(report) != texts:
        for name, text in texts.items():
            setattr(report, name, text or None)
        report.version += 1
        report.saved_at, report.saved_by_id = now(), actor.id
    else:
        return report
    db.session.flush()
    # A draft is saved often: audited, but not on the timeline (finishing it is).
    _audit("case.investigation_report_saved", case, actor,
           {"report_id": report.id, "version": report.version})
    _touch(case)
    return report


def finish_report(actor: User, case: Case) -> InvestigationReport:
    """Finish the report: it then no longer changes, and can be shared."""
    report = report_of(case)
    blockers = finish_blockers(case, report_texts(report))
    _investigating("finish_investigation_report", case, actor,
                   (report is not None and report.finished_at is not None, REPORT_FINISHED),
                   *((True, reason) for reason in blockers))
    report.finished_at, report.finished_by_id = now(), actor.id
    _done("case.investigation_report_finished", case, actor,
          {"report_id": report.id, "version": report.version})
    return report


@dataclass(frozen=True)
class Appendix:
    number: int
    title: str | None  # None in a party's copy of a redacted item
    redacted: bool


@dataclass(frozen=True)
class ReportDocument:
    """What the report's template reads: for staff (every passage) or a party's copy."""

    reference: str
    centre: str
    version: int
    finished: bool
    sections: list[tuple[str, list[str]]]  # (section name, its passages, markers included)
    appendices: list[Appendix]
    conclusion: str | None
    concluded_on: date | None
    party_role: str | None = None
    language: str = "en"
    title: str = ""


def report_document(case: Case, report: InvestigationReport | None, *, language: str,
                    shared: redaction.Shared | None = None, party_role: str | None = None,
                    marker: str = "") -> ReportDocument:
    """The report as a document. With ``shared``, a party's copy: withheld passages are a
    marker, and a redacted appendix keeps its number but not its title."""
    party_copy = shared is not None
    passages = report_passages(report, party_copy=party_copy)
    texts = dict(shared.items) if party_copy else {}
    sections: dict[str, list[str]] = {
        name: [] for name in report_sections(case, party_copy=party_copy)}
    for passage in passages:
        text = texts.get(passage, passage.text) if shared is not None else passage.text
        if passage.section in sections:
            sections[passage.section].append(marker if text is None else text)
    investigation = investigation_of(case)
    appendices = [Appendix(item.appendix, None if (shared is not None and item.redacted)
                           else item.title, item.redacted) for item in evidence_of(case)]
    centre = get_centre(case.centre)
    with force_locale(language):
        title = _("Investigation report · %(reference)s", reference=case.reference)
    return ReportDocument(
        reference=case.reference,
        centre=centre.name_for(language) if centre else case.centre,
        version=report.version if report else 0,
        finished=bool(report and report.finished_at), sections=list(sections.items()),
        appendices=appendices,
        conclusion=investigation.conclusion if investigation else None,
        concluded_on=investigation.concluded_on if investigation else None,
        party_role=party_role, language=language, title=title)


def render_report_pdf(document: ReportDocument) -> bytes:
    """The report as tagged PDF, through the letters' one WeasyPrint pipeline."""
    from hsm.letters.rendering import render_document_pdf
    return render_document_pdf("cases/documents/report.html", document.language,
                               document.title, report=document,
                               section_labels=REPORT_SECTIONS,
                               conclusion_labels=CONCLUSION_LABELS,
                               party_role_labels=PARTY_ROLE_LABELS,
                               marker=marker_for(document.language))


# --- sharing (13.9, 13.15, 19.3) -----------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """Something that can be shared: its kind, id, version, and its text or file."""

    kind: ItemKind
    id: int
    version: int
    source: object
    passages: list[redaction.Passage] | None = None  # None: a file shared whole
    redacted: bool = False
    ready: bool = True  # the report: only once finished
    meta: dict = field(default_factory=dict)


def _meeting_item(meeting: InvestigationMeeting) -> Item:
    return Item(ItemKind.MEETING, meeting.id, 1, meeting,
                redaction.passages([("", meeting.notes)]), meta={"held_on": meeting.held_on})


def _evidence_item(case: Case, item: EvidenceItem, *, with_text: bool) -> Item:
    passages = None
    if item.kind in (EvidenceKind.TEXT, EvidenceKind.EMAIL):
        passages = []
        if with_text:
            passages = redaction.passages([("", _evidence_text(item))])
    return Item(ItemKind.EVIDENCE, item.id, 1, item, passages, redacted=item.redacted,
                meta={"appendix": item.appendix, "kind": item.kind})


def _evidence_text(item: EvidenceItem) -> str:
    return evidence_bytes(item).decode("utf-8", errors="replace")


def _report_item(report: InvestigationReport) -> Item:
    return Item(ItemKind.REPORT, report.id, report.version, report, report_passages(report),
                ready=report.finished_at is not None)


def items_of(case: Case) -> list[Item]:
    """Everything that can be shared from this case, in the page's order (no file read)."""
    found = [_meeting_item(m) for m in meetings_of(case)]
    found += [_evidence_item(case, e, with_text=False) for e in evidence_of(case)]
    report = report_of(case)
    if report is not None:
        found.append(_report_item(report))
    return found


def item_of(case: Case, kind: str, item_id: int) -> Item | None:
    """One item of the case, with its text read (an evidence file is checked first)."""
    if kind not in set(ItemKind) or not 0 < item_id <= MAX_ID:
        return None
    if kind == ItemKind.MEETING:
        found = db.session.get(InvestigationMeeting, item_id)
        return _meeting_item(found) if found is not None and found.case_id == case.id else None
    if kind == ItemKind.EVIDENCE:
        found = db.session.get(EvidenceItem, item_id)
        if found is None or found.case_id != case.id:
            return None
        return _evidence_item(case, found, with_text=True)
    found = db.session.get(InvestigationReport, item_id)
    return _report_item(found) if found is not None and found.case_id == case.id else None


def party_labels(case: Case) -> dict[int, str]:
    """How the pages name each party (as the case page's forms do)."""
    return {p.id: party_label(p, n) for n, p in enumerate(case.parties, start=1)}


def item_labels(case: Case) -> dict[tuple[str, int], str]:
    """How the pages name each item (for staff: a meeting names who was met)."""
    numbered = party_labels(case)
    labels: dict[tuple[str, int], str] = {
        (ItemKind.MEETING, m.id): meeting_label(m, numbered) for m in meetings_of(case)}
    for e in evidence_of(case):
        labels[(ItemKind.EVIDENCE, e.id)] = _("Appendix %(number)d: %(title)s",
                                             number=e.appendix, title=e.title)
    report = report_of(case)
    if report is not None:
        labels[(ItemKind.REPORT, report.id)] = _("Investigation report, version %(version)d",
                                                 version=report.version)
    return labels


def party_of(case: Case, party_id: int) -> CaseParty | None:
    if not 0 < party_id <= MAX_ID:
        return None
    return next((p for p in parties_shared_with(case) if p.id == party_id), None)


@dataclass(frozen=True)
class Prepared:
    """A party's copy, made but not stored: what the preview shows and "Share" stores."""

    item: Item
    party: CaseParty
    language: str
    withheld: frozenset[int]  # everything withheld, the automatic ones included
    automatic: frozenset[int]  # withheld because they repeat a wellbeing/past note
    phrases: tuple[str, ...]
    shared: redaction.Shared | None  # None for a file shared whole
    text: str | None  # the copy as text (a text item, or the report's words)
    media_type: str
    reasons: tuple[Reason, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Which copy a preview showed: "Share" stores only the copy that was previewed."""
        seen = json.dumps([self.item.kind, self.item.id, self.item.version, self.party.id,
                           sorted(self.withheld), list(self.phrases), self.text],
                          ensure_ascii=False)
        return hashlib.sha256(seen.encode("utf-8")).hexdigest()


def marker_for(language: str) -> str:
    with force_locale(language):
        return _("[Passage withheld]")


def automatic_for(case: Case, item: Item, party: CaseParty) -> frozenset[int]:
    """The passages withheld from this party whatever staff choose."""
    if party.role != PartyRole.RESPONDING or not item.passages:
        return frozenset()
    return redaction.sensitive(item.passages, wellbeing_notes(case))


def prepare(case: Case, item: Item, party: CaseParty, withheld: Iterable[int] = (),
            phrases: Sequence[str] = ()) -> Prepared:
    """Make this party's copy of ``item`` with these passages and phrases withheld."""
    language = party.preferred_language or "en"
    reasons: list[Reason] = []
    if party.role not in SHARED_WITH:
        reasons.append(NOT_SHARED_WITH)
    if item.redacted:
        reasons.append(ITEM_REDACTED)
    if not item.ready:
        reasons.append(REPORT_NOT_FINISHED)
    phrases = tuple(dict.fromkeys(p.strip() for p in phrases if p.strip()))
    if item.passages is None:
        media = _file_media_type(item)
        return Prepared(item, party, language, frozenset(), frozenset(), (), None, None, media,
                        tuple(reasons))
    automatic = automatic_for(case, item, party)
    numbers = {p.number for p in item.passages}
    chosen = frozenset(n for n in withheld if n in numbers) | automatic
    if redaction.missing_phrases(item.passages, phrases):
        reasons.append(PHRASE_MISSING)
    shared = redaction.shared(item.passages, chosen, phrases, marker_for(language))
    text = shared.text(marker_for(language))
    if party.role == PartyRole.RESPONDING and redaction.leaks(text, wellbeing_notes(case)):
        reasons.append(LEAK)
    media = "application/pdf" if item.kind == ItemKind.REPORT else "text/plain; charset=utf-8"
    return Prepared(item, party, language, chosen, automatic, phrases, shared, text, media,
                    tuple(reasons))


def _file_media_type(item: Item) -> str:
    evidence: EvidenceItem = item.source  # type: ignore[assignment]
    return "image/jpeg" if evidence.kind == EvidenceKind.IMAGE else evidence.media_type


def heading_of(case: Case, item: Item, language: str) -> str:
    """The first line of a text copy: the case and the item, in the party's language."""
    with force_locale(language):
        if item.kind == ItemKind.MEETING:
            what = _("Notes of the meeting held on %(date)s",
                     date=format_date(item.meta["held_on"]))
        else:
            what = _("Appendix %(number)d", number=item.meta["appendix"])
        return f"{case.reference} · {what}"


def content_of(case: Case, prepared: Prepared) -> bytes:
    """The copy's bytes, exactly as the party receives them."""
    item = prepared.item
    if item.kind == ItemKind.REPORT:
        document = report_document(case, item.source, language=prepared.language,
                                   shared=prepared.shared, party_role=prepared.party.role,
                                   marker=marker_for(prepared.language))
        return render_report_pdf(document)
    if prepared.shared is not None:
        body = f"{heading_of(case, item, prepared.language)}\n\n{prepared.text}\n"
        return body.encode("utf-8")
    evidence: EvidenceItem = item.source  # type: ignore[assignment]
    return evidence_bytes(evidence, copy=evidence.kind == EvidenceKind.IMAGE)


def share(actor: User, case: Case, prepared: Prepared, previewed: str) -> SharedCopy:
    """Store this party's copy exactly as previewed, and record who shared it, when, with
    whom and from which version. Audited with the numbers of the passages withheld."""
    item, party = prepared.item, prepared.party
    reasons = [*sharing_reasons(actor, case), *prepared.reasons]
    if not reasons and previewed != prepared.fingerprint:
        reasons.append(PREVIEW_CHANGED)
    detail = {"item_kind": item.kind, "item_id": item.id, "party_id": party.id}
    if reasons:
        refuse("share_item", case, actor, reasons, detail=detail)
    data = content_of(case, prepared)
    if party.role == PartyRole.RESPONDING and prepared.text is not None and redaction.leaks(
            data.decode("utf-8", errors="ignore") if item.kind != ItemKind.REPORT
            else prepared.text, wellbeing_notes(case)):
        refuse("share_item", case, actor, [LEAK], detail=detail)
    copy = SharedCopy(
        case_id=case.id, party_id=party.id, item_kind=item.kind, item_id=item.id,
        item_version=item.version, withheld=sorted(prepared.withheld),
        auto_withheld=sorted(prepared.automatic),
        phrases=json.dumps(list(prepared.phrases), ensure_ascii=False) if prepared.phrases
        else None, language=prepared.language, media_type=prepared.media_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data,
        shared_at=now(), shared_by_id=actor.id)
    db.session.add(copy)
    db.session.flush()
    _done("case.item_shared", case, actor, {
        "shared_copy_id": copy.id, **detail, "role": party.role,
        "item_version": item.version, "withheld": sorted(prepared.withheld),
        "auto_withheld": sorted(prepared.automatic), "phrases": len(prepared.phrases),
        "sha256": copy.sha256})
    return copy


def load_shared_copy_for(actor, case_id: int, copy_id: int) -> tuple[Case, SharedCopy]:
    case = load_investigation_for(actor, case_id)
    found = db.session.get(SharedCopy, copy_id) if 0 < copy_id <= MAX_ID else None
    if found is None or found.case_id != case.id:
        deny("shared_copy_out_of_scope", status=404)
    return case, found


def shared_bytes(copy: SharedCopy) -> bytes:
    """The copy exactly as shared; a tampered ciphertext or different bytes raise."""
    data = db.session.scalar(sa.select(SharedCopy.content).where(SharedCopy.id == copy.id))
    if data is None or hashlib.sha256(data).hexdigest() != copy.sha256:
        raise EvidenceIntegrityError("the shared copy does not match its SHA-256")
    return data


def record_copy_read(actor: User, case: Case, copy: SharedCopy, *, failed: bool = False) -> None:
    _audit("case.shared_copy_integrity_failed" if failed else "case.shared_copy_downloaded",
           case, actor, {"shared_copy_id": copy.id})


def record_report_read(actor: User, case: Case, report: InvestigationReport | None) -> None:
    _audit("case.investigation_report_read", case, actor,
           {"report_id": report.id if report else None})

