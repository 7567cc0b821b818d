"""The covered-firm list of a market-year: candidates imported or typed in, judged by the market's inclusion
rule, proposed by a regulator and approved by a different head; the approved list makes the year's firms."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from mrv import inclusion
from mrv.audit import log_action
from mrv.coverage_sheet import Candidate, parse_candidates
from mrv.models import CoverageEntry, CoverageList, EmissionSource, Firm, FirmYearFigure, Market, MarketSector
from mrv.transitions import TransitionRefused, run_transition
from mrv.workflow import coverage as rules

NOT_THE_REGULATOR = _("Only the market's regulator may change its covered-firm list.")
NOT_DRAFT = _("The list is “%(status)s”: a head must reopen it before it changes.")
NOT_APPROVED = _("A firm can be closed only on an approved list.")
SECTOR_NOT_COVERED = _("The market does not cover the sector %(sector)s in %(year)s.")
CLOSED_OUTSIDE_YEAR = _("The closing date must fall in %(year)s.")
EARLIER_CLOSURE = _("Closed on %(date)s (%(year)s list): no longer covered.")


def _require_regulator(coverage_list: CoverageList, user) -> None:
    if not rules.is_list_regulator(coverage_list, user):
        raise PermissionDenied(NOT_THE_REGULATOR)


def _require_draft(coverage_list: CoverageList) -> None:
    if coverage_list.status != CoverageList.Status.DRAFT:
        raise TransitionRefused(NOT_DRAFT % {"status": coverage_list.get_status_display()}, code="not_draft")


def covered_sectors(market: Market, year: int):
    return [
        ms.sector for ms in MarketSector.objects.filter(rule_pack=market.rule_pack_for(year)).select_related("sector")
    ]


def coverage_list_open(*, market: Market, year: int, acting_user) -> CoverageList:
    """The market-year's list, created as a draft the first time a regulator opens it."""
    market.check_year(year)
    coverage_list, created = CoverageList.objects.get_or_create(market=market, year=year)
    _require_regulator(coverage_list, acting_user)
    if created:
        log_action(coverage_list, "mrv.coveragelist.created", actor=acting_user)
    return coverage_list


def _closures_before(market: Market, year: int) -> dict[str, tuple[datetime.date, int]]:
    rows = CoverageEntry.objects.filter(
        coverage_list__market=market, coverage_list__year__lt=year, closed_on__isnull=False
    ).values_list("credit_code", "closed_on", "coverage_list__year")
    return {code: (closed_on, y) for code, closed_on, y in rows}


def _judge(entry: CoverageEntry, market: Market, year: int, closures: dict) -> None:
    """The rule's verdict and its reason (year, figure, threshold, any tce↔tCO2e conversion)."""
    if entry.credit_code in closures:
        closed_on, closed_year = closures[entry.credit_code]
        entry.rule_included, entry.rule_reason = False, str(EARLIER_CLOSURE % {"date": closed_on, "year": closed_year})
        return
    decision = inclusion.check_candidate(
        inclusion.figures_from_json(entry.figures), market, year, new_entrant=entry.is_new_entrant
    )
    entry.rule_included, entry.rule_reason = decision.included, str(decision)


def coverage_candidates_import(*, coverage_list: CoverageList, data: bytes, acting_user) -> int:
    """Add or update candidates from a sheet; any bad row or column refuses the whole sheet."""
    _require_regulator(coverage_list, acting_user)
    _require_draft(coverage_list)
    market, year = coverage_list.market, coverage_list.year
    candidates = parse_candidates(data, covered_sectors(market, year))
    closures = _closures_before(market, year)
    with transaction.atomic():
        for candidate in candidates:
            _save_candidate(coverage_list, candidate, closures)
        log_action(
            coverage_list,
            "mrv.coveragelist.imported",
            actor=acting_user,
            changes={"candidates": (None, len(candidates))},
        )
    return len(candidates)


def _save_candidate(coverage_list: CoverageList, candidate: Candidate, closures: dict) -> CoverageEntry:
    entry = CoverageEntry.objects.filter(coverage_list=coverage_list, credit_code=candidate.credit_code).first()
    entry = entry or CoverageEntry(coverage_list=coverage_list, credit_code=candidate.credit_code)
    entry.name, entry.sector = candidate.name, candidate.sector
    entry.installations, entry.is_new_entrant = candidate.installations, candidate.is_new_entrant
    entry.design_capacity, entry.figures = candidate.design_capacity, candidate.figures
    entry.firm = entry.firm or Firm.objects.filter(credit_code=candidate.credit_code).first()
    _judge(entry, coverage_list.market, coverage_list.year, closures)
    entry.save()
    return entry


def coverage_entry_save(
    *,
    coverage_list: CoverageList,
    acting_user,
    name: str,
    credit_code: str,
    sector,
    installations: str = "",
    is_new_entrant: bool = False,
    design_capacity: Decimal | None = None,
    figures: dict | None = None,
    override: str = "",
    override_reason: str = "",
) -> CoverageEntry:
    """Add or change one candidate in the UI; a decision against the rule needs a reason."""
    _require_regulator(coverage_list, acting_user)
    _require_draft(coverage_list)
    if sector not in covered_sectors(coverage_list.market, coverage_list.year):
        raise ValidationError(SECTOR_NOT_COVERED % {"sector": sector, "year": coverage_list.year})
    if override and not override_reason.strip():
        raise ValidationError(_("Please give a reason for deciding against the rule."))
    candidate = Candidate(0, name, credit_code.strip().upper(), sector, installations, is_new_entrant, design_capacity)
    candidate.figures = figures or {}
    with transaction.atomic():
        entry = _save_candidate(coverage_list, candidate, _closures_before(coverage_list.market, coverage_list.year))
        entry.override, entry.override_reason = override, override_reason.strip()
        entry.full_clean(exclude=["coverage_list", "firm"])
        entry.save()
        log_action(entry, "mrv.coverageentry.saved", actor=acting_user, reason=override_reason)
    return entry


def coverage_list_reevaluate(*, coverage_list: CoverageList, acting_user) -> int:
    """Judge every candidate again (after figures or rules changed)."""
    _require_regulator(coverage_list, acting_user)
    _require_draft(coverage_list)
    closures = _closures_before(coverage_list.market, coverage_list.year)
    entries = list(coverage_list.entries.all())
    with transaction.atomic():
        for entry in entries:
            _judge(entry, coverage_list.market, coverage_list.year, closures)
            entry.save(update_fields=["rule_included", "rule_reason"])
        log_action(coverage_list, "mrv.coveragelist.reevaluated", actor=acting_user)
    return len(entries)


def coverage_list_propose(*, coverage_list: CoverageList, acting_user, reason: str = "") -> CoverageList:
    run_transition(coverage_list, "propose", acting_user=acting_user, reason=reason, by=acting_user)
    return coverage_list


def coverage_list_return(*, coverage_list: CoverageList, acting_user, reason: str = "") -> CoverageList:
    run_transition(coverage_list, "return_to_draft", acting_user=acting_user, reason=reason, reason_required=True)
    return coverage_list


def coverage_list_reopen(*, coverage_list: CoverageList, acting_user, reason: str = "") -> CoverageList:
    run_transition(coverage_list, "reopen", acting_user=acting_user, reason=reason, reason_required=True)
    return coverage_list


def coverage_list_approve(*, coverage_list: CoverageList, acting_user, reason: str = "") -> CoverageList:
    """Four eyes; the covered candidates become (or update) the market's firms, and a year already begun
    opens at once: draft reports and engagements for exactly the listed firms."""
    year = coverage_list.year
    started = year <= timezone.localdate().year
    tasks = [("deadlines.open_compliance_year", {"market_id": coverage_list.market_id, "today": f"{year}-01-01"})]
    with transaction.atomic():
        run_transition(
            coverage_list,
            "approve",
            acting_user=acting_user,
            reason=reason,
            by=acting_user,
            tasks=tasks if started else (),
        )
        _firms_from_list(coverage_list)
    return coverage_list


def _firms_from_list(coverage_list: CoverageList) -> None:
    market, year = coverage_list.market, coverage_list.year
    for entry in coverage_list.entries.select_related("firm").filter(firm__isnull=True):
        entry.firm = Firm.objects.filter(credit_code=entry.credit_code).first()
        entry.save(update_fields=["firm"])
    for entry in coverage_list.entries.select_related("firm"):
        if not entry.covered:
            continue
        firm = entry.firm or Firm(credit_code=entry.credit_code, market=market, covered_since=year)
        firm.name, firm.sector, firm.market = entry.name, entry.sector, market
        firm.is_new_entrant, firm.design_capacity, firm.is_active = entry.is_new_entrant, entry.design_capacity, True
        if firm.covered_since and firm.covered_since > year:
            firm.covered_since = year
        firm.save()
        if entry.firm_id != firm.pk:
            entry.firm = firm
            entry.save(update_fields=["firm"])
        _figures_and_installations(firm, entry)


def _figures_and_installations(firm: Firm, entry: CoverageEntry) -> None:
    for year, row in inclusion.figures_from_json(entry.figures).items():
        FirmYearFigure.objects.update_or_create(
            firm=firm,
            year=year,
            defaults={
                "emissions_tco2e": row.emissions_tco2e,
                "energy_tce": row.energy_tce,
                "source": f"covered-firm list {entry.coverage_list.year}",
            },
        )
    for name in filter(None, (n.strip() for n in entry.installations.split(";"))):
        code = slugify(name)[:40] or f"inst-{abs(hash(name)) % 10**6}"
        EmissionSource.objects.get_or_create(firm=firm, code=code, defaults={"name": name})


def coverage_entry_close(*, entry: CoverageEntry, closed_on: datetime.date, reason: str, acting_user) -> CoverageEntry:
    """A firm closes during the year: it reports and surrenders for the year, and leaves the next year's list."""
    coverage_list = entry.coverage_list
    _require_regulator(coverage_list, acting_user)
    if coverage_list.status != CoverageList.Status.APPROVED:
        raise TransitionRefused(NOT_APPROVED, code="not_approved")
    if closed_on.year != coverage_list.year:
        raise ValidationError(CLOSED_OUTSIDE_YEAR % {"year": coverage_list.year})
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    with transaction.atomic():
        entry.closed_on = closed_on
        entry.save(update_fields=["closed_on"])
        log_action(
            entry,
            "mrv.coverageentry.closed",
            actor=acting_user,
            changes={"closed_on": (None, str(closed_on))},
            reason=reason,
        )
    return entry
