"""Monthly evidence of the national power sector: due dates by the rule pack, deposits with evidence,
lateness and changes the verifier sees, reminders and overdue notices, and the annual report prefilled."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from deadlines.models import Reminder
from deadlines.services import reminders_send_due
from mrv import due_dates, selectors
from mrv.models import ActivityDataRow, AuditLog, Firm, MonthlyDeposit, OutputDataRow, StoredFile, User
from mrv.services import deposits as svc
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, report

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
pytestmark = pytest.mark.django_db
VALUES = {
    "fuel_consumed_t": "52000",
    "ncv_gj_per_t": "20.908",
    "carbon_content_tc_per_gj": "0.02637",
    "electricity_generated_mwh": "110000",
    "electricity_supplied_mwh": "104500",
}


@pytest.fixture
def national():
    return f.market("national")


@pytest.fixture
def power_firm(national):
    return f.FirmFactory(name="国家测试发电有限公司", market=national, sector=f.sector("power"))


@pytest.fixture
def power_user(power_firm):
    return f.UserFactory(username="np_reporter", role=User.Role.FIRM_REPORTER, firm=power_firm)


def deposit(user, firm, month, *, year=2026, evidence=(("jan-test-report.pdf", PDF),), **values):
    return svc.monthly_deposit_save(
        firm=firm,
        year=year,
        month=month,
        stream_code="coal",
        values=VALUES | values,
        evidence=list(evidence),
        acting_user=user,
    )


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (1, D(2026, 3, 12)),  # 31 January + 40 days
        (2, D(2026, 4, 9)),  # 28 February + 40 days
        (11, D(2027, 1, 9)),  # 30 November + 40 days
        (12, D(2027, 2, 9)),  # 31 December + 40 days
    ],
)
def test_a_month_is_due_40_days_after_it_ends_in_the_national_market(national, month, due):
    pack = national.rule_pack_for(2026)
    assert due_dates.monthly_deposit_due(pack, 2026, month) == due
    assert {"monthly_deposit_days", "monthly_deposit_sectors"} <= set(pack.assumed_fields)


def test_a_shanghai_firm_deposits_nothing(firm, firm_user):
    assert due_dates.monthly_deposit_due(firm.market.rule_pack_for(2026), 2026, 1) is None
    with pytest.raises(svc.DepositRefused, match="does not deposit monthly"):
        deposit(firm_user, firm, 1)


def test_the_firm_deposits_a_month_with_evidence_audited(power_firm, power_user):
    made = deposit(power_user, power_firm, 1)
    assert (made.fuel_consumed_t, made.due_date, made.revisions) == (Decimal("52000"), D(2026, 3, 12), 0)
    [stored] = StoredFile.objects.filter(owner_id=str(made.pk))
    assert stored.original_name == "jan-test-report.pdf"
    row = AuditLog.objects.for_object(made).get()
    assert (row.action, row.actor, row.changes["fuel_consumed_t"]) == (
        "mrv.monthlydeposit.deposited",
        power_user,
        [None, "52000"],
    )


def test_the_first_deposit_needs_evidence_and_numbers(power_firm, power_user):
    with pytest.raises(svc.DepositRefused, match="Attach the evidence"):
        deposit(power_user, power_firm, 1, evidence=())
    with pytest.raises(svc.DepositRefused, match="“fuel consumed \\(t\\)”: “-5” is not a number of zero or more"):
        deposit(power_user, power_firm, 1, fuel_consumed_t="-5")
    with pytest.raises(svc.DepositRefused, match="is not a month"):
        deposit(power_user, power_firm, 13)
    assert not MonthlyDeposit.objects.exists()


def test_a_month_not_over_cannot_be_deposited(power_firm, power_user):
    from django.utils import timezone

    today = timezone.localdate()
    with pytest.raises(svc.DepositRefused, match="is not over yet"):
        deposit(power_user, power_firm, today.month, year=today.year)


def test_another_firm_may_not_deposit(power_firm, firm_user):
    with pytest.raises(PermissionDenied):
        deposit(firm_user, power_firm, 1)


def test_a_change_after_the_first_deposit_is_a_revision_the_verifier_sees(power_firm, power_user):
    deposit(power_user, power_firm, 1)
    changed = deposit(power_user, power_firm, 1, evidence=(), fuel_consumed_t="51800")
    assert (changed.revisions, changed.fuel_consumed_t) == (1, Decimal("51800"))
    row = AuditLog.objects.for_object(changed).order_by("-id").first()
    assert (row.action, row.changes) == ("mrv.monthlydeposit.revised", {"fuel_consumed_t": ["52000.000", "51800"]})
    unchanged = deposit(power_user, power_firm, 1, evidence=(), fuel_consumed_t="51800")
    assert unchanged.revisions == 1  # the same figures again change nothing


def test_the_overview_names_the_months_late_changed_and_overdue(power_firm, power_user):
    jan, feb = deposit(power_user, power_firm, 1), deposit(power_user, power_firm, 2)
    MonthlyDeposit.objects.filter(pk=jan.pk).update(first_deposited_on=D(2026, 3, 15))  # due 12 March: 3 days late
    MonthlyDeposit.objects.filter(pk=feb.pk).update(first_deposited_on=D(2026, 4, 1), revisions=2)  # on time, changed
    [row] = selectors.deposit_overview(Firm.objects.filter(pk=power_firm.pk), 2026, D(2026, 5, 20))
    # 20 May: March (due 10 May) is overdue, April (due 9 June) is not yet due.
    assert (row["deposited"], row["late"], row["changed"], row["overdue"]) == (2, [1], [2], [3])
    months = selectors.deposit_months(power_firm, 2026)
    assert [m.status(D(2026, 5, 20)) for m in months[:4]] == ["late", "on_time", "overdue", "open"]
    assert months[0].deposit.days_late == 3


def test_a_missing_month_gets_reminders_then_monthly_overdue_notices_until_deposited(power_firm, power_user):
    reminders_send_due(today=D(2026, 3, 13))  # January was due 12 March
    jan = Reminder.objects.filter(firm=power_firm, kind="monthly_deposit", due_date=D(2026, 3, 12))
    assert sorted(jan.values_list("stage", "offset_days")) == [("escalation", 0), ("overdue", 0)]
    assert Reminder.objects.filter(kind="monthly_deposit", due_date=D(2026, 4, 9), offset_days=30).exists()
    deposit(power_user, power_firm, 1)
    reminders_send_due(today=D(2026, 4, 11))  # 30 days late, but deposited: nothing more for January
    assert sorted(jan.values_list("offset_days", flat=True)) == [0, 0]


def test_the_annual_report_is_prefilled_from_the_deposits(power_firm, power_user):
    approved_plan(power_firm, [COAL], valid_from=D(2026, 1, 1))
    draft = report(power_firm, year=2026)
    deposit(power_user, power_firm, 1)
    deposit(power_user, power_firm, 2, electricity_supplied_mwh="95500")
    assert svc.report_prefill_from_deposits(report=draft, acting_user=power_user) == 2
    rows = ActivityDataRow.objects.filter(report=draft).order_by("month")
    # The plan names tC/TJ: 0.02637 tC/GJ = 26.37 tC/TJ.
    assert [(r.month, r.activity, r.carbon_content, r.carbon_content_unit) for r in rows] == [
        (1, Decimal("52000"), Decimal("26.37"), "tC/TJ"),
        (2, Decimal("52000"), Decimal("26.37"), "tC/TJ"),
    ]
    supplied = OutputDataRow.objects.get(report=draft, kind="electricity_supply")
    assert supplied.amount == Decimal("200000")  # 104,500 + 95,500 MWh


# --- Pages ---------------------------------------------------------------------------------------


def test_the_firm_deposits_through_its_page_with_an_upload(client, power_firm, power_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(power_user)
    url = reverse("ui:deposit_save", args=[power_firm.pk, 2026])
    data = VALUES | {"month": "3", "stream_code": "coal", "evidence": SimpleUploadedFile("mar.pdf", PDF)}
    response = client.post(url, data)
    assert response.status_code == 302
    assert MonthlyDeposit.objects.get(firm=power_firm, month=3).electricity_supplied_mwh == Decimal("104500")
    page = client.get(reverse("ui:deposit_months", args=[power_firm.pk, 2026]))
    assert page.status_code == 200 and "mar.pdf" in page.content.decode()


def test_another_tenant_gets_404_for_the_firms_months(client, power_firm, firm_user, other_verifier):
    for user in (firm_user, other_verifier):
        client.force_login(user)
        assert client.get(reverse("ui:deposit_months", args=[power_firm.pk, 2026])).status_code == 404


def test_the_regulator_sees_the_late_and_changed_months(client, power_firm, power_user, national):
    jan = deposit(power_user, power_firm, 1)
    MonthlyDeposit.objects.filter(pk=jan.pk).update(first_deposited_on=D(2026, 3, 15), revisions=1)
    officer = f.UserFactory(role=User.Role.REGULATOR_OFFICER, authority=f.AuthorityFactory(market=national))
    client.force_login(officer)
    page = client.get(reverse("ui:deposit_overview") + "?year=2026").content.decode()
    assert power_firm.name in page
    months = client.get(reverse("ui:deposit_months", args=[power_firm.pk, 2026])).content.decode()
    assert "late by 3 days" in months and "changed 1 time" in months
