"""Two markets' own rules in a real headless Chromium (English), each well under a minute.

Guangdong: the new entrant's reporter enters the year's output with its evidence on the report's production
page; the case officer sees no firm lacking inputs, computes the 2025 table (design capacity × benchmark,
from the reserve), the head approves it; once issued, the firm surrenders allowances and PHCER.
National: the firm tries to surrender CCER above the 5 % cap and reads why; within the cap it complies.

The verification and review path in the browser is the Shanghai test's (test_mrv_cycle.py); here the
determined figure is written as the setup (a queryset update), so each test shows its market's step.
"""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from mrv.models import EmissionReport, MarketSector, User
from registry import selectors, services
from registry.ledger import holding_account
from registry.models import AllocationTable, MarketCap, ProductionRecord
from registry.services.surrender import OFFSET_CAP_EXCEEDED
from tests import factories as f
from tests.e2e.test_mrv_cycle import Browser, post, t

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LANGUAGE = "en"


def _people(market, firm, prefix):
    authority = f.AuthorityFactory(market=market)
    people = {
        "reporter": f.UserFactory(username=f"{prefix}reporter", role=User.Role.FIRM_REPORTER, firm=firm),
        "approver": f.UserFactory(username=f"{prefix}approver", role=User.Role.FIRM_APPROVER, firm=firm),
        "officer": f.UserFactory(username=f"{prefix}officer", role=User.Role.REGULATOR_OFFICER, authority=authority),
        "head": f.UserFactory(username=f"{prefix}head", role=User.Role.REGULATOR_HEAD, authority=authority),
    }
    return people  # the factory's password is the browser test's PASSWORD


def _determined(report, tco2e):
    from registry.positions import refresh_firms

    EmissionReport.objects.filter(pk=report.pk).update(status="determined", determined_emissions_tco2e=D(tco2e))
    refresh_firms([report.firm_id])  # the positions follow a determination saved by the services; here by hand


@pytest.fixture(autouse=True)
def _surrenders_in_time(monkeypatch):
    """These years' deadlines (mid-2026) have passed in real time: the ledger records the browser's surrenders
    as of 1 June 2026, in time, as a firm surrendering during its compliance season would."""
    moment = datetime.datetime(2026, 6, 1, 4, tzinfo=datetime.UTC)
    monkeypatch.setattr("registry.ledger.recorded_at", lambda: moment)


def _surrender(page, firm, values: dict):
    page.goto(reverse("registry:account", args=[holding_account(firm).pk]) + "surrender/?year=2025")
    for prefix, quantity in values.items():
        page.fill(f"#surrender-form input[name^='{prefix}']", str(quantity))
    with page.expect_navigation():
        page.click("#surrender-form button[type=submit]")


def test_guangdong_new_entrant_on_design_capacity_and_a_phcer_surrender(chromium, live_server, tmp_path):
    started = time.monotonic()
    market = f.market("guangdong")
    MarketSector.objects.filter(rule_pack=market.rule_pack_for(2025), sector__code="cement").update(benchmark=D("0.8"))
    MarketCap.objects.update_or_create(
        market=market, year=2025, defaults={"cap_tco2e": D(10_000_000), "reserve_tco2e": D(1_000_000)}
    )
    firm = f.FirmFactory(
        market=market, sector=f.sector("cement"), is_new_entrant=True, design_capacity=D(40000), covered_since=2025
    )
    people = _people(market, firm, "gd_")
    report = f.ReportFactory(firm=firm, year=2025, status="draft")
    browser = Browser(chromium, live_server.url, LANGUAGE)
    try:
        page = browser.login("gd_reporter")
        page.goto(reverse("ui:report_detail", args=[report.pk]))
        page.click(f"a[href$='{reverse('registry:report_production', args=[report.pk])}']")
        page.fill("#id_output", "30000")
        evidence = tmp_path / "output.pdf"
        evidence.write_bytes(PDF)
        page.set_input_files("#id_evidence", str(evidence))
        with page.expect_navigation():
            page.click("main form[enctype] button.primary")
        assert t(LANGUAGE, "Production data saved.") in page.content()
        assert ProductionRecord.objects.get(firm=firm, year=2025).output == D(30000)

        officer = browser.login("gd_officer")
        officer.goto(reverse("registry:allocation_tables"))
        officer.click(f"a[href$='{reverse('registry:allocation_inputs')}']")
        officer.fill("main form.inline input[name=year]", "2025")
        with officer.expect_navigation():
            officer.click("main form.inline button")
        assert t(LANGUAGE, "Every covered firm has its inputs: the table can be computed.") in officer.content()
        officer.goto(reverse("registry:allocation_tables"))
        officer.fill("#id_year", "2025")
        officer.select_option("#id_kind", "preliminary")
        with officer.expect_navigation():
            officer.click("main form.card button.primary")
        officer.wait_for_url(re.compile(r"/registry/allocation/\d+/$"))
        body = officer.content()
        assert t(LANGUAGE, "design capacity × benchmark") in body and "32,000" in body
        table = AllocationTable.objects.get(market=market, year=2025)
        line = table.lines.get()
        assert line.from_reserve and line.computed_tco2e == D(32000)

        head = browser.login("gd_head")
        head.goto(reverse("registry:allocation_table", args=[table.pk]))
        post(head, "/approve/", "button")
        table.refresh_from_db()
        assert table.status == "approved"
        services.allocation_table_issue(table=table, acting_user=people["officer"])
        _determined(report, 30000)
        services.offsets_issue(
            firm=firm,
            offset_type="PHCER",
            project="PHCER-GZ-1",
            vintage=2025,
            quantity=1500,
            idempotency_key="e2e:phcer",
            acting_user=people["officer"],
        )
        approver = browser.login("gd_approver")
        _surrender(approver, firm, {"u_ALLOWANCE_2025": 28500, "u_PHCER_2025": 1500})
        assert t(LANGUAGE, "Surrendered for %(year)s.", year=2025) in approver.content()
    finally:
        browser.close()
    status = selectors.compliance_status(firm, 2025)
    assert (status.status, status.offsets_tco2e) == ("compliant", D(1500))
    assert time.monotonic() - started < 60


def test_national_ccer_above_five_percent_is_refused_then_within_the_cap_complies(chromium, live_server):
    started = time.monotonic()
    market = f.market("national")
    MarketSector.objects.filter(rule_pack=market.rule_pack_for(2025), sector__code="power").update(benchmark=D("0.85"))
    MarketCap.objects.update_or_create(
        market=market, year=2025, defaults={"cap_tco2e": D(10_000_000), "reserve_tco2e": D(0)}
    )
    firm = f.FirmFactory(market=market, sector=f.sector("power"), covered_since=2020)
    people = _people(market, firm, "cn_")
    ProductionRecord.objects.create(firm=firm, year=2024, output=D(35000))  # 35,000 MWh × 0.85 = 29,750
    table = services.allocation_table_compute(market=market, year=2025, acting_user=people["officer"])
    services.allocation_table_approve(table=table, acting_user=people["head"])
    services.allocation_table_issue(table=table, acting_user=people["officer"])
    _determined(f.ReportFactory(firm=firm, year=2025, status="draft"), 30000)
    services.offsets_issue(
        firm=firm,
        offset_type="CCER",
        project="CCER-001",
        vintage=2025,
        quantity=2000,
        idempotency_key="e2e:ccer",
        acting_user=people["officer"],
    )
    browser = Browser(chromium, live_server.url, LANGUAGE)
    try:
        page = browser.login("cn_approver")
        _surrender(page, firm, {"u_ALLOWANCE_2025": 28400, "u_CCER_2025": 1600})  # 5 % of 30,000 is 1,500
        assert str(OFFSET_CAP_EXCEEDED).split("%(cap)s")[0] in page.content()  # "Offsets are capped at"
        assert not selectors.compliance_status(firm, 2025).offsets_tco2e  # nothing moved
        _surrender(page, firm, {"u_ALLOWANCE_2025": 28500, "u_CCER_2025": 1500})
        assert t(LANGUAGE, "Surrendered for %(year)s.", year=2025) in page.content()
    finally:
        browser.close()
    status = selectors.compliance_status(firm, 2025)
    assert (status.status, status.offsets_tco2e, status.offset_cap_tco2e) == ("compliant", D(1500), D(1500))
    assert time.monotonic() - started < 60
