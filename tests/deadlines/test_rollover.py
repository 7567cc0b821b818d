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


def _firms(market, n):
    return [f.FirmFactory(market=market) for _ in range(n)]


def test_a_batch_costs_the_same_statements_whatever_its_size(shanghai):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deadlines.services import rollover_open_batch

    small, large = _firms(shanghai, 2), _firms(shanghai, 40)
    counts = []
    for firms in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert rollover_open_batch(market_id=shanghai.pk, year=2026, firm_ids=[x.pk for x in firms]) == len(firms)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert (
        EmissionReport.objects.filter(year=2026).count()
        == VerificationEngagement.objects.filter(year=2026).count()
        == 42
    )


def test_the_scheduled_roll_over_queues_one_task_per_batch_and_each_batch_opens_its_firms(shanghai, monkeypatch):
    from deadlines import tasks
    from deadlines.services import rollover
    from mrv.models import OutboxMessage

    firms = _firms(shanghai, 5)
    monkeypatch.setattr(rollover, "ROLLOVER_BATCH", 2)
    assert tasks.open_compliance_year.run(market_id=shanghai.pk, today="2026-01-01") == 3
    batches = OutboxMessage.objects.filter(task_name="deadlines.open_compliance_year_batch").order_by("created_at")
    assert sorted(len(m.kwargs["firm_ids"]) for m in batches) == [1, 2, 2]
    for message in batches:
        tasks.open_compliance_year_batch.run(**message.kwargs)
        tasks.open_compliance_year_batch.run(**message.kwargs)  # redelivered: nothing twice
    assert set(EmissionReport.objects.filter(year=2026).values_list("firm_id", flat=True)) == {x.pk for x in firms}
    assert AuditLog.objects.filter(action="deadlines.rollover.report_opened").count() == 5


def test_the_audit_rows_of_a_batch_are_sealed_in_the_chain(shanghai):
    from mrv.models import ChainVerification
    from mrv.security import chains

    _firms(shanghai, 3)
    rollover_open_year(year=2026)
    rows = list(AuditLog.objects.filter(action__startswith="deadlines.rollover").order_by("chain_seq"))
    assert len(rows) == 6 and all(r.row_hash for r in rows)
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]  # each sealed on the one before
    assert [r.chain_seq for r in rows] == list(range(rows[0].chain_seq, rows[0].chain_seq + 6))
    assert chains.verify_chains(trigger=ChainVerification.Trigger.COMMAND).ok
