"""The covered-firm list of a market-year: imported candidates judged by the market's inclusion rule,
proposed by an officer, approved by another head; the approved list makes the year."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deadlines.calendar import firm_deadlines
from deadlines.services import rollover_open_year
from mrv.coverage import covered_firms
from mrv.coverage_sheet import SheetErrors
from mrv.models import AuditLog, CoverageEntry, CoverageList, EmissionReport, Firm, User, VerificationEngagement
from mrv.services import coverage as svc
from mrv.transitions import TransitionRefused
from registry import selectors as registry_selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


def _sheet(*rows: str, header: str = "name,credit_code,sector,installations,new_entrant,design_capacity") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def hubei_people():
    hubei = f.market("hubei")
    authority = f.AuthorityFactory(name="湖北省生态环境厅", market=hubei)
    make = lambda name, role: f.UserFactory(username=name, role=role, authority=authority)  # noqa: E731
    return (
        hubei,
        make("hb_off", User.Role.REGULATOR_OFFICER),
        make("hb_head1", User.Role.REGULATOR_HEAD),
        make("hb_head2", User.Role.REGULATOR_HEAD),
    )


HUBEI_HEADER = (
    "name,credit_code,sector,new_entrant,energy_tce_2024,emissions_tco2e_2024,energy_tce_2025,emissions_tco2e_2025"
)


def _hubei_sheet(codes):
    return _sheet(
        f"湖北水泥,{codes[0]},cement,no,30000,,65000,",  # tce in the second year
        f"湖北钢铁,{codes[1]},steel,no,,130000,,90000",  # CO2 in the first year
        f"湖北小厂,{codes[2]},paper,no,20000,,21000,",  # below both (tCO2e converted from tce)
        header=HUBEI_HEADER,
    )


def test_hubei_candidates_are_judged_on_tce_or_co2_in_either_year(hubei_people):
    hubei, officer, _h1, _h2 = hubei_people
    codes = [f.credit_code() for _ in range(3)]
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    assert svc.coverage_candidates_import(coverage_list=coverage, data=_hubei_sheet(codes), acting_user=officer) == 3
    entries = {e.name: e for e in coverage.entries.all()}
    assert entries["湖北水泥"].rule_included and "2025" in entries["湖北水泥"].rule_reason
    assert "65,000.00 tce" in entries["湖北水泥"].rule_reason
    assert entries["湖北钢铁"].rule_included and "2024" in entries["湖北钢铁"].rule_reason
    small = entries["湖北小厂"]
    assert not small.rule_included
    assert "converted from" in small.rule_reason and "60,000" in small.rule_reason


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_saved(hubei_people):
    hubei, officer, _h1, _h2 = hubei_people
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    data = _sheet(
        f"好企业,{f.credit_code()},cement,no,,",
        "坏代码,91310000000000000X,cement,no,,",
        f"坏行业,{f.credit_code()},bakery,no,,",
        f"坏数字,{f.credit_code()},cement,,maybe,lots",
    )
    with pytest.raises(SheetErrors) as refused:
        svc.coverage_candidates_import(coverage_list=coverage, data=data, acting_user=officer)
    text = " | ".join(refused.value.messages)
    assert "Row 3, column credit_code" in text
    assert "Row 4, column sector" in text and "bakery" in text
    assert "Row 5, column new_entrant" in text and "Row 5, column design_capacity" in text
    assert not CoverageEntry.objects.exists()


def test_officer_proposes_and_another_head_approves_four_eyes(hubei_people):
    hubei, officer, head1, head2 = hubei_people
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=head1)
    svc.coverage_candidates_import(
        coverage_list=coverage, data=_hubei_sheet([f.credit_code() for _ in range(3)]), acting_user=officer
    )
    with pytest.raises(TransitionRefused):
        svc.coverage_list_approve(coverage_list=coverage, acting_user=head2)  # not yet proposed
    svc.coverage_list_propose(coverage_list=coverage, acting_user=head1)
    with pytest.raises(PermissionDenied):
        svc.coverage_list_approve(coverage_list=coverage, acting_user=officer)
    with pytest.raises(PermissionDenied):
        svc.coverage_list_approve(coverage_list=coverage, acting_user=head1)  # proposed it himself
    svc.coverage_list_approve(coverage_list=coverage, acting_user=head2)
    coverage.refresh_from_db()
    assert coverage.status == CoverageList.Status.APPROVED and coverage.approved_by == head2
    codes = list(AuditLog.objects.filter(object_id=str(coverage.pk)).values_list("action", flat=True))
    assert "mrv.coveragelist.propose" in codes and "mrv.coveragelist.approve" in codes


def test_the_approved_list_drives_roll_over_deadlines_and_obligations(hubei_people):
    hubei, officer, head1, head2 = hubei_people
    on_register_only = f.FirmFactory(market=hubei, sector=f.sector("cement"))
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    svc.coverage_candidates_import(
        coverage_list=coverage, data=_hubei_sheet([f.credit_code() for _ in range(3)]), acting_user=officer
    )
    svc.coverage_list_propose(coverage_list=coverage, acting_user=officer)
    svc.coverage_list_approve(coverage_list=coverage, acting_user=head2)
    listed = set(Firm.objects.filter(name__in=["湖北水泥", "湖北钢铁"]))
    assert set(covered_firms(hubei, 2026)) == listed
    rollover_open_year(year=2026, market_id=hubei.pk)
    assert set(Firm.objects.filter(reports__year=2026, market=hubei)) == listed
    assert {e.firm for e in VerificationEngagement.objects.filter(market=hubei, year=2026)} == listed
    assert not EmissionReport.objects.filter(firm=on_register_only, year=2026).exists()
    assert {d.firm for d in firm_deadlines([on_register_only, *listed], [2026])} == listed
    assert {s.firm_id for s in registry_selectors.compliance_statuses(hubei, 2026)} == {x.pk for x in listed}


def test_a_new_entrant_is_covered_and_a_closed_firm_leaves_the_next_list(hubei_people):
    hubei, officer, head1, head2 = hubei_people
    code = f.credit_code()
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    entry = svc.coverage_entry_save(
        coverage_list=coverage,
        acting_user=officer,
        name="湖北新玻璃",
        credit_code=code,
        sector=f.sector("glass"),
        is_new_entrant=True,
        design_capacity=300000,
    )
    assert entry.rule_included and "New entrant" in entry.rule_reason
    svc.coverage_list_propose(coverage_list=coverage, acting_user=officer)
    svc.coverage_list_approve(coverage_list=coverage, acting_user=head1)
    firm = Firm.objects.get(credit_code=code)
    assert firm.is_new_entrant and firm.design_capacity == 300000 and firm.covered_since == 2026
    with pytest.raises(ValidationError, match="2026"):
        svc.coverage_entry_close(entry=entry, closed_on=datetime.date(2027, 1, 5), reason="停产", acting_user=officer)
    svc.coverage_entry_close(entry=entry, closed_on=datetime.date(2026, 9, 30), reason="停产", acting_user=officer)
    nxt = svc.coverage_list_open(market=hubei, year=2027, acting_user=officer)
    again = svc.coverage_entry_save(
        coverage_list=nxt, acting_user=officer, name="湖北新玻璃", credit_code=code, sector=f.sector("glass")
    )
    assert not again.rule_included and "2026-09-30" in again.rule_reason


def test_an_approved_list_changes_only_after_a_head_reopens_it(hubei_people):
    hubei, officer, head1, head2 = hubei_people
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    svc.coverage_candidates_import(
        coverage_list=coverage, data=_hubei_sheet([f.credit_code() for _ in range(3)]), acting_user=officer
    )
    svc.coverage_list_propose(coverage_list=coverage, acting_user=officer)
    svc.coverage_list_approve(coverage_list=coverage, acting_user=head1)
    with pytest.raises(TransitionRefused):
        svc.coverage_candidates_import(
            coverage_list=coverage, data=_hubei_sheet([f.credit_code()] * 3), acting_user=officer
        )
    with pytest.raises(TransitionRefused):
        svc.coverage_list_reopen(coverage_list=coverage, acting_user=head2, reason="")
    svc.coverage_list_reopen(coverage_list=coverage, acting_user=head2, reason="新进入者")
    assert coverage.status == CoverageList.Status.DRAFT


def test_regulator_imports_on_the_page_and_sees_each_verdict(client, hubei_people):
    hubei, officer, _h1, _h2 = hubei_people
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("firms.csv", _hubei_sheet([f.credit_code() for _ in range(3)]), "text/csv")
    response = client.post("/coverage/2026/import/", {"file": upload}, follow=True)
    assert response.status_code == 200
    page = client.get("/coverage/", {"year": 2026}).content.decode()
    assert "湖北水泥" in page and "65,000.00 tce" in page
    response = client.post("/coverage/2026/propose/", {"reason": ""}, follow=True)
    assert CoverageList.objects.get(market=hubei, year=2026).status == CoverageList.Status.PROPOSED


def test_bad_sheet_on_the_page_names_rows_and_saves_nothing(client, hubei_people):
    _hubei, officer, _h1, _h2 = hubei_people
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("firms.csv", _sheet("坏代码,123,cement,no,,"), "text/csv")
    page = client.post("/coverage/2026/import/", {"file": upload}, follow=True).content.decode()
    assert "Row 2, column credit_code" in page
    assert not CoverageEntry.objects.exists()


def test_other_markets_regulator_and_firm_users_cannot_touch_the_list(client, hubei_people, regulator, firm_user):
    hubei, officer, _h1, _h2 = hubei_people
    coverage = svc.coverage_list_open(market=hubei, year=2026, acting_user=officer)
    with pytest.raises(PermissionDenied):
        svc.coverage_candidates_import(coverage_list=coverage, data=_sheet(), acting_user=regulator)
    client.force_login(firm_user)
    assert client.get("/coverage/").status_code == 403
    client.force_login(regulator)
    client.post("/coverage/2026/propose/")
    assert CoverageList.objects.get(pk=coverage.pk).status == CoverageList.Status.DRAFT
