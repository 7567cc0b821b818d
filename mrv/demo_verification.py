"""Demo step: reports in every workflow state in the demo markets, driven through the services.

The firm's own part (plan, data, submission) belongs to the plans code; here a report starts as
"submitted" with the firm's reported figure, and everything after goes through the verification,
spot-check and review services, so the audit trail and timelines are real. Idempotent: a scenario
whose report exists is skipped.
"""

from decimal import Decimal

from mrv.models import (
    EmissionReport,
    Finding,
    FirmYearFigure,
    Market,
    SpotCheckSample,
    User,
    VerificationBody,
    VerificationOpinion,
)
from mrv.records.certification import VERIFIER_OPINION, demo_certification
from mrv.services import review, spot_checks
from mrv.services import verification as svc

R = EmissionReport.Status
YEAR = 2025


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _firm(prefix: str):
    return _u(f"{prefix}_reporter").firm


def _submitted(prefix: str, year: int, period: str = "annual") -> EmissionReport | None:
    """A new submitted report at last year's figure + 1 % (None if the scenario already ran)."""
    firm = _firm(prefix)
    existing = EmissionReport.objects.filter(firm=firm, year=year, period=period).first()
    if existing is not None:  # the plans step submitted it from real data: take it on from there, once
        return existing if existing.status == R.SUBMITTED else None
    last = FirmYearFigure.objects.filter(firm=firm, year__lt=year).order_by("-year").first()
    reported = (last.emissions_tco2e * Decimal("1.01")).quantize(Decimal("1")) if last else Decimal("50000")
    if period != "annual":
        reported = (reported / 4).quantize(Decimal("1"))
    report = EmissionReport(
        firm=firm, market=firm.market, year=year, period=period, status=R.SUBMITTED, reported_emissions_tco2e=reported
    )
    report.save()
    return report


def _in_co_review(prefix: str, year: int, period: str) -> EmissionReport | None:
    """A quarterly report in its first co-review round with no decision yet (None once the scenario ran).
    Submission puts it there (the rule pack names co-reviewers); a report made here is started by hand."""
    report = _submitted(prefix, year, period)
    if report is not None:
        review.report_start_co_review(report=report, acting_user=None)
        return report
    report = EmissionReport.objects.filter(firm=_firm(prefix), year=year, period=period, status=R.CO_REVIEW).first()
    if report is None or report.quarterly_reviews.exists():
        return None
    return report


def _regulators(report) -> tuple[User, User]:
    prefix = {"shanghai": "sh", "shenzhen": "sz", "tianjin": "tj", "chongqing": "cq", "beijing": "bj", "hubei": "hb"}[
        report.market.code
    ]
    return _u(f"{prefix}_officer"), _u(f"{prefix}_head")


def _body() -> VerificationBody:
    return _u("verifier_lead").body


def _under_verification(report) -> EmissionReport:
    officer, _head = _regulators(report)
    lead, member = _u("verifier_lead"), _u("verifier")
    engagement = svc.engagement_assign(firm=report.firm, year=report.year, body=_body(), acting_user=officer)
    svc.engagement_accept(engagement=engagement, team=[member], acting_user=lead)
    if report.market.rule_pack_for(report.year).verification_plan_required:
        svc.verification_plan_save(
            engagement=engagement,
            document_review="能源台账、燃料发票、化验报告",
            site_visit_dates=[f"{report.year + 1}-04-08"],
            site_team=[lead, member],
            sampling="燃料消耗抽查 3、7、11 月",
            acting_user=lead,
        )
    report.refresh_from_db()
    return report


def _verified(report) -> EmissionReport:
    report = _under_verification(report)
    member, lead = _u("verifier"), _u("verifier_lead")
    finding = svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="3 月燃料低位热值取值偏低",
        line_key=f"boiler-coal:{report.year}-03",
        amount_tco2e=Decimal("800"),
        acting_user=member,
    )
    svc.finding_close(
        finding=finding, resolution=Finding.Resolution.NOT_CORRECTED, acting_user=lead, reason="金额不重大，企业未更正"
    )
    verified = report.reported_emissions_tco2e + 800
    svc.report_sign_off(
        certification=demo_certification(VERIFIER_OPINION),
        report=report,
        outcome=VerificationOpinion.Outcome.WITH_COMMENTS,
        verified_emissions_tco2e=verified,
        difference_reason="3 月热值按化验报告更正（+800 t）",
        comments="未更正错报 800 t，不重大",
        acting_user=lead,
    )
    report.refresh_from_db()
    return report


def _draw(market_code: str, year: int, seed: int) -> None:
    market = Market.objects.get(code=market_code)
    if not SpotCheckSample.objects.filter(market=market, year=year).exists():
        officer = _u({"shanghai": "sh", "beijing": "bj", "hubei": "hb"}[market_code] + "_officer")
        spot_checks.spot_check_draw(market=market, year=year, acting_user=officer, seed=seed)


def _through_spot_check(report) -> EmissionReport:
    report.refresh_from_db()
    if report.status == R.SPOT_CHECK:
        spot_checks.spot_check_confirm(report=report, acting_user=_u("spotcheck"), comment="抽查核实无异议")
    elif report.status == R.VERIFIED:
        review.report_send_to_review(report=report, acting_user=_regulators(report)[0])
    report.refresh_from_db()
    return report


def _determined(report, *, close: bool) -> EmissionReport:
    officer, head = _regulators(report)
    review.determination_propose(report=report, acting_user=officer, reasons="核查报告完整，数据可信")
    review.determination_approve(report=report, acting_user=head, reason="同意")
    if close:
        review.report_close(report=report, acting_user=officer)
    report.refresh_from_db()
    return report


def _shanghai() -> None:
    past = _submitted("sh", YEAR - 1)
    if past:
        _verified(past)
        _draw("shanghai", YEAR - 1, seed=20250430)
        _determined(_through_spot_check(past), close=True)  # closed
    now = [r for r in (_submitted("sh", YEAR), _submitted("sh2", YEAR)) if r]
    for report in now:
        _verified(report)
    if now:
        _draw("shanghai", YEAR, seed=20260430)  # one of two sampled (ceil 10 % × 2): spot_check and verified


def _beijing() -> None:
    past = _submitted("bj", YEAR - 1)
    if past:
        _verified(past)
        _draw("beijing", YEAR - 1, seed=20250430)
        _determined(_through_spot_check(past), close=False)  # determined
    now = _submitted("bj", YEAR)
    if now:
        _verified(now)
        _draw("beijing", YEAR, seed=20260430)
        _through_spot_check(now)  # regulator_review


def _hubei() -> None:
    now = _submitted("hb", YEAR)
    if now:
        _verified(now)
        _draw("hubei", YEAR, seed=20260430)
        report = _through_spot_check(now)
        review.determination_propose(report=report, acting_user=_regulators(report)[0], reasons="待处长审批")
        # determination_proposed


def _tianjin() -> None:
    now = _submitted("tj", YEAR)
    if now:
        report = _under_verification(now)
        svc.finding_raise(
            report=report,
            kind=Finding.Kind.NON_CONFORMITY,
            description="合成氨装置流量计未按监测计划校准",
            line_key=f"process-gas:{YEAR}-06",
            acting_user=_u("verifier"),
        )  # under_verification


def _chongqing() -> None:
    now = _submitted("cq", YEAR)
    if now:
        report = _under_verification(now)
        svc.finding_raise(
            report=report,
            kind=Finding.Kind.MISSTATEMENT,
            description="电解槽阳极效应 CF4 排放未计（2 t × 6,500）",
            line_key=f"cell-cf4:{YEAR}-05",
            amount_tco2e=Decimal("13000"),
            acting_user=_u("verifier"),
        )
        svc.report_return_to_firm(report=report, acting_user=_u("verifier"), reason="请补报 PFCs 排放")  # returned
    past = _submitted("cq", YEAR - 1)
    if past:
        report = _under_verification(past)
        svc.report_sign_off(
            certification=demo_certification(VERIFIER_OPINION),
            report=report,
            outcome=VerificationOpinion.Outcome.NOT_VERIFIED,
            not_verified_reason=VerificationOpinion.NotVerifiedReason.DATA_LIMITATIONS,
            comments="运输车辆燃油记录缺失",
            acting_user=_u("verifier_lead"),
        )
        officer, head = _regulators(report)
        report.refresh_from_db()
        review.determination_propose_conservative_estimate(
            report=report,
            emissions_tco2e=(report.reported_emissions_tco2e * Decimal("1.1")).quantize(Decimal("1")),
            basis_text="申报值上浮 10%",
            reasons="核查结论为不予核证（数据受限）",
            acting_user=officer,
        )
        review.determination_approve(report=report, acting_user=head, reason="同意保守估算")  # determined


def _shenzhen() -> None:
    if not EmissionReport.objects.filter(firm=_firm("sz"), year=YEAR, period="annual").exists():
        firm = _firm("sz")
        EmissionReport.objects.create(firm=firm, market=firm.market, year=YEAR)  # draft
    _submitted("sz2", YEAR)  # submitted, no verifier yet
    officer, stats = _u("sz_officer"), _u("sz_stats")
    q1 = _in_co_review("sz", YEAR, "q1")
    if q1:
        review.quarterly_review_accept(report=q1, acting_user=stats, comment="与统计直报一致")
        review.quarterly_review_accept(report=q1, acting_user=officer)  # accepted
    q2 = _in_co_review("sz", YEAR, "q2")
    if q2:
        review.quarterly_review_accept(report=q2, acting_user=officer)  # co_review, waiting for the bureau


def seed_verification() -> None:
    """Reports in every state: draft … closed, and Shenzhen's quarterly co-review and accepted."""
    for scenario in (_shanghai, _beijing, _hubei, _tianjin, _chongqing, _shenzhen):
        scenario()
