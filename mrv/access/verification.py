"""Who sees the verification, spot-check and review records."""

from django.db.models import Q

from mrv.access import organisations, reports  # noqa: F401  (registered first: their rules are wrapped below)
from mrv.access.core import _PREDICATES, _SCOPES, NOTHING, can_view, predicate, regulates, scope, visible_to
from mrv.models import (
    Determination,
    EmissionReport,
    Finding,
    FindingAnswer,
    Firm,
    QuarterlyReview,
    SpotCheckItem,
    SpotCheckSample,
    User,
    VerificationEngagement,
    VerificationOpinion,
    VerificationPlan,
)

# Spot checkers see the reports (and firms) sampled to their body; the other kinds below follow
# the report they belong to, narrowed where a party has no business seeing them.


_reports_before_spot_checks = _SCOPES[EmissionReport]
_report_before_spot_checks = _PREDICATES[EmissionReport]
_firms_before_spot_checks = _SCOPES[Firm]
_firm_before_spot_checks = _PREDICATES[Firm]


def _sampled_to(user: User, report_field: str = "pk") -> Q:
    sampled = SpotCheckItem.objects.filter(body_id=user.body_id).values("report_id")
    return Q(**{f"{report_field}__in": sampled})


@scope(EmissionReport)
def _reports_with_spot_checks(user: User) -> Q:
    if user.is_spot_checker:
        return _sampled_to(user)
    return _reports_before_spot_checks(user)


@predicate(EmissionReport)
def _report_with_spot_checks(user: User, report: EmissionReport) -> bool:
    if user.is_spot_checker:
        return SpotCheckItem.objects.filter(body_id=user.body_id, report_id=report.pk).exists()
    return _report_before_spot_checks(user, report)


@scope(Firm)
def _firms_with_spot_checks(user: User) -> Q:
    if user.is_spot_checker:
        return Q(pk__in=SpotCheckItem.objects.filter(body_id=user.body_id).values("report__firm_id"))
    return _firms_before_spot_checks(user)


@predicate(Firm)
def _firm_with_spot_checks(user: User, firm: Firm) -> bool:
    if user.is_spot_checker:
        return SpotCheckItem.objects.filter(body_id=user.body_id, report__firm_id=firm.pk).exists()
    return _firm_before_spot_checks(user, firm)


def _annual_report_scope(user: User, prefix: str) -> Q:
    """Objects whose report (at `prefix`) the user may see; statistics officers see no annual work."""
    if user.role == User.Role.STATISTICS_OFFICER:
        return NOTHING
    return Q(**{f"{prefix}__in": visible_to(user, EmissionReport).values("pk")})


def _annual_report_visible(user: User, report: EmissionReport) -> bool:
    return user.role != User.Role.STATISTICS_OFFICER and can_view(user, report)


@scope(Finding)
def _findings(user: User) -> Q:
    return _annual_report_scope(user, "report")


@predicate(Finding)
def _finding(user: User, finding: Finding) -> bool:
    return _annual_report_visible(user, finding.report)


@scope(FindingAnswer)
def _finding_answers(user: User) -> Q:
    return _annual_report_scope(user, "finding__report")


@predicate(FindingAnswer)
def _finding_answer(user: User, answer: FindingAnswer) -> bool:
    return _annual_report_visible(user, answer.finding.report)


@scope(VerificationOpinion)
def _opinions(user: User) -> Q:
    return _annual_report_scope(user, "report")


@predicate(VerificationOpinion)
def _opinion(user: User, opinion: VerificationOpinion) -> bool:
    return _annual_report_visible(user, opinion.report)


@scope(VerificationPlan)
def _verification_plans(user: User) -> Q:
    """The engagement's parties: the regulator, the firm, and the verification body."""
    if user.is_spot_checker:
        return NOTHING
    return Q(engagement__in=visible_to(user, VerificationEngagement).values("pk"))


@predicate(VerificationPlan)
def _verification_plan(user: User, plan: VerificationPlan) -> bool:
    return not user.is_spot_checker and can_view(user, plan.engagement)


@scope(SpotCheckSample)
def _samples(user: User) -> Q:
    if user.is_regulator:
        return Q(market_id=user.market_id)
    if user.is_spot_checker:
        return Q(pk__in=SpotCheckItem.objects.filter(body_id=user.body_id).values("sample_id"))
    return NOTHING


@predicate(SpotCheckSample)
def _sample(user: User, sample: SpotCheckSample) -> bool:
    if user.is_regulator:
        return regulates(user, sample.market_id)
    if user.is_spot_checker:
        return sample.items.filter(body_id=user.body_id).exists()
    return False


@scope(SpotCheckItem)
def _spot_check_items(user: User) -> Q:
    """The regulator, the spot-check body, and the verifier whose work was checked (firms are not told)."""
    if user.is_regulator:
        return Q(sample__market_id=user.market_id)
    if user.is_spot_checker:
        return Q(body_id=user.body_id)
    if user.is_verifier:
        return Q(report__in=visible_to(user, EmissionReport).values("pk"))
    return NOTHING


@predicate(SpotCheckItem)
def _spot_check_item(user: User, item: SpotCheckItem) -> bool:
    if user.is_regulator:
        return regulates(user, item.sample.market_id)
    if user.is_spot_checker:
        return item.body_id is not None and item.body_id == user.body_id
    if user.is_verifier:
        return can_view(user, item.report)
    return False


@scope(Determination)
def _determinations(user: User) -> Q:
    """Regulators see proposals; the firm sees decided ones."""
    if user.is_regulator:
        return Q(report__market_id=user.market_id)
    if user.is_firm_user:
        return Q(report__firm_id=user.firm_id) & ~Q(decision=Determination.Decision.PENDING)
    return NOTHING


@predicate(Determination)
def _determination(user: User, determination: Determination) -> bool:
    if user.is_regulator:
        return regulates(user, determination.report.market_id)
    if user.is_firm_user:
        return determination.report.firm_id == user.firm_id and determination.decision != Determination.Decision.PENDING
    return False


@scope(QuarterlyReview)
def _quarterly_reviews(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(report__market_id=user.market_id)
    if user.is_firm_user:
        return Q(report__firm_id=user.firm_id)
    return NOTHING


@predicate(QuarterlyReview)
def _quarterly_review(user: User, review: QuarterlyReview) -> bool:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, review.report.market_id)
    if user.is_firm_user:
        return review.report.firm_id == user.firm_id
    return False
