"""A regulator's market year through the API alone — monitoring-plan review, the covered-firm list, the allocation
table (computed, approved, issued with a second factor), the exchange's trades, compliance and statistics — run
from the same starting point as the same year through the browser's services; both leave the same market.

Each path runs in a savepoint that is rolled back after its summary is taken, so both start from the same state.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from mrv.models import AuditLog, CoverageList, MarketSector, MonitoringPlan, Sector, User
from mrv.services import coverage as coverage_svc
from mrv.services import plans as plan_svc
from registry import selectors, services
from registry.ledger import holding_account
from registry.models import AllocationTable, ProductionRecord, Transaction
from tests import factories as f
from tests.mrv.api_work import api, ok, second_factor
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan

pytestmark = pytest.mark.django_db
D = Decimal
COVERAGE_HEADER = "name,credit_code,sector,installations,new_entrant,design_capacity"


class _Undo(Exception):
    pass


@pytest.fixture
def market_year(shanghai, firm, other_firm, funded, regulator, regulator_head):
    """Shanghai: a firm's plan version 2 awaiting review, allocation inputs for 2025, two funded accounts."""
    approved_plan(firm, [COAL, ELECTRICITY])
    second = approved_plan(firm, [COAL, ELECTRICITY], version=2, valid_from="2026-01-01")
    MonitoringPlan.objects.filter(pk=second.pk).update(status=MonitoringPlan.Status.SUBMITTED)
    second.refresh_from_db()
    pack = shanghai.rule_pack_for(2025)
    MarketSector.objects.filter(rule_pack=pack, sector__code="power").update(
        benchmark=D("0.6"), adjustment_factor=D("0.995")
    )
    MarketSector.objects.filter(rule_pack=pack, sector__code="steel").update(decline_factor=D("0.97"))
    ProductionRecord.objects.create(firm=firm, year=2024, output=D(1000000))
    for year, tco2e, output in [(2022, 200000, 100000), (2023, 210000, 100000), (2024, 220000, 110000)]:
        f.FigureFactory(firm=other_firm, year=year, emissions_tco2e=D(tco2e))
        ProductionRecord.objects.create(firm=other_firm, year=year, output=D(output))
    head2 = f.UserFactory(role=User.Role.REGULATOR_HEAD, authority=regulator.authority)
    mine, theirs = funded
    trades = (
        "trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t\n"
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,100,45.00\n"
        f"T2,2025-04-02,{theirs.number},{mine.number},2025,40,46.10\n"
    ).encode()
    candidates = (
        f"{COVERAGE_HEADER}\n上海新电厂,{f.credit_code()},power,1号机组,yes,600\n上海小厂,{f.credit_code()},steel,,no,\n"
    ).encode()
    entry = {"name": "上海第三电厂", "credit_code": f.credit_code(), "sector": "power", "installations": "2号机组"}
    return {"plan": second, "head2": head2, "trades": trades, "candidates": candidates, "entry": entry}


def _summary(shanghai, firm, other_firm) -> dict:
    plan = MonitoringPlan.objects.get(firm=firm, version=2)
    coverage = CoverageList.objects.get(market=shanghai, year=2026)
    table = AllocationTable.objects.get(market=shanghai, year=2025)
    return {
        "plan": (plan.status, [(r.action, r.from_state, r.to_state) for r in AuditLog.objects.for_object(plan)]),
        "coverage": (
            coverage.status,
            sorted(
                (e.name, e.sector.code, e.covered, e.rule_reason, e.figures, e.closed_on)
                for e in coverage.entries.all()
            ),
        ),
        "table": (
            table.status,
            sorted(
                (li.firm_id, li.method, li.computed_tco2e, li.free_tco2e, li.auction_tco2e) for li in table.lines.all()
            ),
        ),
        "balances": sorted(selectors.account_balances([holding_account(firm), holding_account(other_firm)]).values()),
        "transactions": sorted(
            (t.kind, str(t.created_by.role if t.created_by else None)) for t in Transaction.objects.all()
        ),
        "compliance": [
            (s.firm_id, s.status, s.obligation_tco2e, s.allowances_tco2e, s.shortfall_tco2e)
            for s in selectors.compliance_statuses(shanghai, 2025)
        ],
    }


def _by_api(world, shanghai, regulator, regulator_head) -> dict:
    officer, head, head2 = api(regulator), api(regulator_head), api(world["head2"])
    answers = {}
    plan = world["plan"]
    assert {q["key"] for q in ok(officer.get("/api/v1/queues/"))} >= {"plans_to_review", "regulator_queue"}
    assert ok(officer.post(f"/api/v1/plans/{plan.pk}/approve/", {"reason": "符合要求"}))["status"] == "approved"
    upload = SimpleUploadedFile("candidates.csv", world["candidates"], content_type="text/csv")
    listed = ok(officer.post("/api/v1/coverage/2026/import/", {"file": upload}, format="multipart"))
    assert [e["name"] for e in listed["entries"]] == ["上海新电厂", "上海小厂"]
    entry = {**world["entry"], "figures": {"2024": {"emissions_tco2e": "30000"}}}
    assert len(ok(officer.post("/api/v1/coverage/2026/entries/", entry))["entries"]) == 3
    ok(officer.post("/api/v1/coverage/2026/reevaluate/"))
    assert ok(officer.post("/api/v1/coverage/2026/propose/", {"reason": ""}))["status"] == "proposed"
    listed = ok(head2.post("/api/v1/coverage/2026/approve/", {"reason": "同意"}))
    closing = next(e["id"] for e in listed["entries"] if e["name"] == "上海小厂")
    closed = ok(
        officer.post(f"/api/v1/coverage-entries/{closing}/close/", {"closed_on": "2026-06-30", "reason": "停产"})
    )
    assert [e["closed_on"] for e in closed["entries"] if e["name"] == "上海小厂"] == ["2026-06-30"]
    table = ok(officer.post("/api/v1/registry/allocation-tables/", {"year": 2025, "kind": "preliminary"}), 201)
    assert ok(head.post(f"/api/v1/registry/allocation-tables/{table['id']}/approve/"))["status"] == "approved"
    codes = second_factor(regulator_head)
    issue = head.post(f"/api/v1/registry/allocation-tables/{table['id']}/issue/", HTTP_X_SECOND_FACTOR=codes[0])
    assert ok(issue)["status"] == "issued"
    upload = SimpleUploadedFile("trades.csv", world["trades"], content_type="text/csv")
    assert (
        ok(officer.post("/api/v1/registry/trades/import/", {"file": upload}, format="multipart"), 201)["recorded"] == 2
    )
    answers["compliance"] = ok(officer.get("/api/v1/registry/compliance/", {"year": 2025}))
    answers["statistics"] = ok(officer.get("/api/v1/registry/statistics/", {"year": 2025}))
    return answers


def _by_services(world, shanghai, regulator, regulator_head) -> None:
    plan_svc.plan_approve(plan=world["plan"], reason="符合要求", acting_user=regulator)
    coverage = coverage_svc.coverage_list_open(market=shanghai, year=2026, acting_user=regulator)
    coverage_svc.coverage_candidates_import(coverage_list=coverage, data=world["candidates"], acting_user=regulator)
    coverage_svc.coverage_entry_save(
        coverage_list=coverage,
        acting_user=regulator,
        **{**world["entry"], "sector": Sector.objects.get(code="power")},
        figures={"2024": {"emissions_tco2e": "30000.00"}},
    )
    coverage_svc.coverage_list_reevaluate(coverage_list=coverage, acting_user=regulator)
    coverage_svc.coverage_list_propose(coverage_list=coverage, acting_user=regulator, reason="")
    coverage_svc.coverage_list_approve(coverage_list=coverage, acting_user=world["head2"], reason="同意")
    closing = coverage.entries.get(name="上海小厂")
    coverage_svc.coverage_entry_close(
        entry=closing, closed_on=datetime.date(2026, 6, 30), reason="停产", acting_user=regulator
    )
    table = services.allocation_table_compute(market=shanghai, year=2025, kind="preliminary", acting_user=regulator)
    services.allocation_table_approve(table=table, acting_user=regulator_head)
    services.allocation_table_issue(table=table, acting_user=regulator_head)
    services.trades_import(market=shanghai, data=world["trades"], acting_user=regulator)


def _in_savepoint(run) -> tuple:
    kept = {}
    try:
        with transaction.atomic():
            kept["answers"] = run()
            kept["summary"] = run.summary()
            raise _Undo
    except _Undo:
        pass
    return kept["answers"], kept["summary"]


def test_a_regulators_market_year_through_the_api_equals_the_browsers(
    market_year, shanghai, firm, other_firm, regulator, regulator_head
):
    def through_api():
        return _by_api(market_year, shanghai, regulator, regulator_head)

    def through_services():
        return _by_services(market_year, shanghai, regulator, regulator_head)

    for run in (through_api, through_services):
        run.summary = lambda: _summary(shanghai, firm, other_firm)
    answers, api_year = _in_savepoint(through_api)
    _nothing, browser_year = _in_savepoint(through_services)
    assert api_year["table"][0] == AllocationTable.Status.ISSUED and api_year["coverage"][0] == "approved"
    assert api_year == browser_year
    by_firm = {row["firm"]: row for row in answers["compliance"]}
    assert {(s[0], s[1]) for s in api_year["compliance"]} == {(k, v["status"]) for k, v in by_firm.items()}
    assert 2025 in {row["year"] for row in answers["statistics"]}


def test_a_penalty_through_the_api_proposed_decided_with_a_second_factor(shanghai, firm, regulator, regulator_head):
    import datetime as dt

    from registry.models import MarketCap
    from tests.registry.conftest import determine

    for year in (2024, 2025, 2026):
        MarketCap.objects.create(market=shanghai, year=year, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    determine(firm, 2025, 300)
    officer, head = api(regulator), api(regulator_head)
    early = officer.post("/api/v1/registry/penalties/propose/", {"firm": firm.pk, "year": 2025})
    assert early.status_code == 400 and "non-compliant" in early.json()["detail"]
    services.compliance_mark_non_compliant(market=shanghai, year=2025, today=dt.date(2026, 7, 1))
    penalty = ok(officer.post("/api/v1/registry/penalties/propose/", {"firm": firm.pk, "year": 2025}), 201)
    assert (penalty["shortfall_tco2e"], penalty["fine_cny"], penalty["status"]) == ("300", "50000.00", "proposed")
    url = f"/api/v1/registry/penalties/{penalty['id']}/decide/"
    assert head.post(url, {"decision_text": "沪环罚〔2026〕1号"}).json()["code"] == "step_up_required"
    codes = second_factor(regulator_head)
    decided = ok(head.post(url, {"decision_text": "沪环罚〔2026〕1号"}, HTTP_X_SECOND_FACTOR=codes[0]))
    assert (decided["status"], decided["decision_text"]) == ("decided", "沪环罚〔2026〕1号")


def test_a_large_trade_file_goes_to_a_worker_as_in_the_browser(funded, regulator, settings):
    from mrv.models import BackgroundJob

    settings.TRADE_IMPORT_INLINE_ROWS = 1
    mine, theirs = funded
    data = (
        "trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t\n"
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,100,45.00\n"
        f"T2,2025-04-02,{theirs.number},{mine.number},2025,40,46.10\n"
    ).encode()
    upload = SimpleUploadedFile("trades.csv", data, content_type="text/csv")
    queued = ok(api(regulator).post("/api/v1/registry/trades/import/", {"file": upload}, format="multipart"), 202)
    job = BackgroundJob.objects.get(pk=queued["job"])
    assert queued["job_url"].endswith(f"/{job.pk}/") and not Transaction.objects.filter(kind="trade").exists()
