from deadlines.services import rollover_open_year
from mrv.models import AuditLog, EmissionReport, VerificationEngagement
from tests import factories as f

A = EmissionReport.Period.ANNUAL


def test_start_of_year_opens_a_draft_report_and_an_engagement_to_assign_per_covered_firm(
    firm, other_firm, beijing_firm
):
    opened = rollover_open_year(year=2026)
    assert opened == 3
    for each in (firm, other_firm, beijing_firm):
        report = EmissionReport.objects.get(firm=each, year=2026, period=A)
        assert (report.status, report.market_id) == (EmissionReport.Status.DRAFT, each.market_id)
        engagement = VerificationEngagement.objects.get(firm=each, year=2026)
        assert (engagement.status, engagement.body) == (VerificationEngagement.Status.AWAITING_ASSIGNMENT, None)
    assert AuditLog.objects.filter(action="deadlines.rollover.report_opened").count() == 3
    assert AuditLog.objects.filter(action="deadlines.rollover.engagement_opened").count() == 3


def test_roll_over_twice_creates_nothing_more(firm, other_firm):
    rollover_open_year(year=2026)
    assert rollover_open_year(year=2026) == 0
    assert EmissionReport.objects.filter(year=2026).count() == 2
    assert VerificationEngagement.objects.filter(year=2026).count() == 2


def test_inactive_and_not_yet_covered_firms_get_nothing(shanghai):
    gone = f.FirmFactory(market=shanghai, is_active=False)
    later = f.FirmFactory(market=shanghai, covered_since=2027)
    rollover_open_year(year=2026)
    assert not EmissionReport.objects.filter(firm__in=[gone, later]).exists()


def test_an_existing_engagement_is_not_duplicated(firm, body):
    f.EngagementFactory(firm=firm, body=body, year=2026, status=VerificationEngagement.Status.ASSIGNED)
    rollover_open_year(year=2026)
    assert VerificationEngagement.objects.filter(firm=firm, year=2026).count() == 1
    assert EmissionReport.objects.filter(firm=firm, year=2026, period=A).exists()


def test_roll_over_of_one_market_leaves_the_others(firm, beijing_firm, shanghai):
    rollover_open_year(year=2026, market_id=shanghai.pk)
    assert EmissionReport.objects.filter(firm=firm, year=2026).exists()
    assert not EmissionReport.objects.filter(firm=beijing_firm, year=2026).exists()
