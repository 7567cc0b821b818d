"""Sealing a record (its copy of record) and checking a seal against the record it copies.

A kind of document says which model it seals, what of the record's surroundings the document shows as they
were at sealing (`as_at`: the firm's name, the verification team, the findings...), and whether the record
itself must still be the same whenever the seal is shown (`live`). The canonical content is
`{"document": kind, "record": <every column of the row but its chain columns>, "as_at": {...}}` in RFC 8785
form; the seal keeps it and its SHA-256.

A seal is "intact" when (1) its stored text still has its digest and (2) for a live kind, the record read
now gives the same `record` part. Anything else is "altered" and says which. The seal row itself is chained
(mrv/security/chains.py), so rewriting a record *and* its seal still breaks the chain check.

mrv kinds (report version, opinion, determination) are registered here; the registry registers its notices
(allocation, compliance, penalty) from its AppConfig.ready().
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mrv.models import Determination, ReportVersion, Seal, VerificationOpinion
from mrv.records.canonical import canonical_text, digest
from mrv.records.certification import Certification

CHAIN_COLUMNS = {"chain_key", "chain_seq", "prev_hash", "row_hash"}

COPY_CHANGED = _("the stored copy no longer matches its digest")
RECORD_CHANGED = _("the record no longer matches the sealed copy (changed after it was signed)")
RECORD_GONE = _("the record it copies is gone")


@dataclass(frozen=True)
class Kind:
    model: type
    subject: Callable  # obj -> {"market_id", "firm_id", "report_id", "year"}
    as_at: Callable  # obj -> dict shown on the document as it was at sealing
    template: str
    live: bool = True
    record: Callable | None = None  # obj -> dict; default: every column of the row
    related: tuple[str, ...] = ()  # read with the record when sealing (what `subject` and `as_at` use)


KINDS: dict[str, Kind] = {}


def register(kind: str, **kwargs) -> None:
    KINDS[kind] = Kind(**kwargs)


def row_content(obj) -> dict:
    """Every column of the row (the foreign keys as ids), as stored."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in CHAIN_COLUMNS}


def record_content(kind: str, obj) -> dict:
    spec = KINDS[kind]
    return (spec.record or row_content)(obj)


def content_of(kind: str, obj) -> dict:
    spec = KINDS[kind]
    return {"document": kind, "record": record_content(kind, obj), "as_at": spec.as_at(obj)}


def seal_record(kind: str, obj, *, signer, certification: Certification | None = None) -> Seal:
    """Seal `obj` (read again from the database so the copy is of what is stored); once per record."""
    spec = KINDS[kind]
    obj = spec.model._default_manager.select_related(*spec.related).get(pk=obj.pk)
    return seal_snapshot(
        kind,
        object_id=obj.pk,
        subject=spec.subject(obj),
        content=lambda: content_of(kind, obj),
        signer=signer,
        certification=certification,
    )


def seal_snapshot(
    kind: str, *, object_id: int, subject: dict, content, signer, certification: Certification | None = None
) -> Seal:
    """Write the seal of `content()` about `subject`; once per record (the unique constraint keeps the first)."""
    text = canonical_text(content())
    statement = {}
    if certification is not None:
        statement = {
            "statement": certification.statement,
            "statement_version": certification.version,
            "statement_language": certification.language,
            "statement_text": certification.text,
            "reauthenticated_at": certification.reauthenticated_at,
        }
    try:
        with transaction.atomic():
            return Seal.objects.create(
                kind=kind,
                object_id=object_id,
                canonical=text,
                digest=digest(text),
                signed_by=signer if getattr(signer, "pk", None) else None,
                **subject,
                **statement,
            )
    except IntegrityError:  # sealed concurrently (a bulk run and a page): the first seal stands
        return Seal.objects.get(kind=kind, object_id=object_id, year=subject["year"])


@dataclass
class SealCheck:
    intact: bool
    problems: list = field(default_factory=list)


def seal_check(seal: Seal, obj=None) -> SealCheck:
    """Check the stored copy against its digest and (live kinds) against the record as it is now."""
    problems = []
    if digest(seal.canonical) != seal.digest:
        problems.append(COPY_CHANGED)
    spec = KINDS.get(seal.kind)
    if spec is not None and spec.live:
        if obj is None:
            obj = spec.model._default_manager.filter(pk=seal.object_id).first()
        if obj is None:
            problems.append(RECORD_GONE)
        else:
            try:
                sealed = json.loads(seal.canonical).get("record")
            except ValueError:
                sealed = None
            if sealed != json.loads(canonical_text(record_content(seal.kind, obj))):
                problems.append(RECORD_CHANGED)
    return SealCheck(intact=not problems, problems=problems)


def sealed_content(seal: Seal) -> dict:
    return json.loads(seal.canonical)


# --- The mrv kinds -------------------------------------------------------------------------------------------


def _report_subject(obj) -> dict:
    report = obj.report
    return {"market_id": report.market_id, "firm_id": report.firm_id, "report_id": report.pk, "year": report.year}


def _report_as_at(report) -> dict:
    firm, market = report.firm, report.market
    return {
        "firm": {"id": firm.pk, "name": firm.name, "credit_code": firm.credit_code, "address": firm.address},
        "market": {"code": market.code, "name_zh": market.name_zh, "name_en": market.name_en},
        "year": report.year,
        "period": report.period,
    }


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.username, "name": user.get_full_name() or user.username}


def _version_as_at(version: ReportVersion) -> dict:
    return {**_report_as_at(version.report), "submitted_by": _person(version.created_by)}


def _opinion_as_at(opinion: VerificationOpinion) -> dict:
    engagement = opinion.engagement
    team = [_person(u) for u in engagement.team.order_by("username")]
    findings = [
        {
            "id": f.pk,
            "kind": f.kind,
            "line": f.line_key,
            "description": f.description,
            "amount_tco2e": f.amount_tco2e,
            "status": f.status,
            "resolution": f.resolution,
        }
        for f in opinion.report.findings.order_by("raised_at", "id")
    ]
    return {
        **_report_as_at(opinion.report),
        "body": engagement.body.name if engagement.body_id else "",
        "lead_verifier": _person(engagement.lead_verifier),
        "team": team,
        "signed_by": _person(opinion.signed_by),
        "findings": findings,
    }


def _determination_as_at(determination: Determination) -> dict:
    return {
        **_report_as_at(determination.report),
        "proposed_by": _person(determination.proposed_by),
        "decided_by": _person(determination.decided_by),
    }


register(
    Seal.Kind.REPORT_VERSION,
    model=ReportVersion,
    subject=_report_subject,
    as_at=_version_as_at,
    template="documents/report_version.html",
    related=("report__firm", "report__market", "created_by"),
)
register(
    Seal.Kind.OPINION,
    model=VerificationOpinion,
    subject=_report_subject,
    as_at=_opinion_as_at,
    template="documents/opinion.html",
    related=("report__firm", "report__market", "engagement__body", "engagement__lead_verifier", "signed_by"),
)
register(
    Seal.Kind.DETERMINATION,
    model=Determination,
    subject=_report_subject,
    as_at=_determination_as_at,
    template="documents/determination.html",
    related=("report__firm", "report__market", "proposed_by", "decided_by"),
)
