"""Registry pages: per-object access (404 when not visible, 403 when not allowed) and bounded queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from registry import services
from registry.ledger import Unit
from registry.models import ALLOWANCE, AllocationTable, Transaction, TransferProposal
from tests.factories import FirmFactory
from tests.registry.conftest import determine

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


@pytest.fixture
def login(client):
    def as_user(user):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages asserted in their English source
        client.force_login(user)
        return client

    return as_user


def test_a_firm_user_sees_their_account_and_not_another_firms(login, funded, firm_user):
    mine, theirs = funded
    client = login(firm_user)
    assert client.get(reverse("registry:index")).url == reverse("registry:account", args=[mine.pk])
    page = client.get(reverse("registry:account", args=[mine.pk]))
    assert page.status_code == 200 and "1,000" in page.content.decode()
    assert client.get(reverse("registry:account", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("registry:transfer_propose", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("registry:surrender", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize(
    "persona, status",
    [("regulator", 200), ("other_regulator", 404), ("verifier", 404), ("outsider", 404), ("national_admin", 200)],
)
def test_who_may_open_a_firms_account(request, login, funded, persona, status):
    mine, _ = funded
    assert (
        login(request.getfixturevalue(persona)).get(reverse("registry:account", args=[mine.pk])).status_code == status
    )


def test_a_regulator_cannot_propose_transfers_out_of_a_firms_account(login, funded, regulator):
    mine, _ = funded
    assert login(regulator).get(reverse("registry:transfer_propose", args=[mine.pk])).status_code == 403


def test_the_account_page_has_a_bounded_number_of_queries(
    login, funded, firm, other_firm, firm_user, django_assert_max_num_queries
):
    mine, theirs = funded
    for i in range(30):
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=1, idempotency_key=f"q{i}")
    client = login(firm_user)
    with django_assert_max_num_queries(30):  # the page now shows each year, transfers waiting and representatives
        assert client.get(reverse("registry:account", args=[mine.pk])).status_code == 200


def test_proposing_and_approving_a_transfer_through_the_pages(login, funded, trusted, firm_user, firm_approver):
    mine, theirs = funded
    response = login(firm_user).post(
        reverse("registry:transfer_propose", args=[mine.pk]),
        {
            "to_account": theirs.number,
            "unit_type": ALLOWANCE,
            "vintage": 2025,
            "quantity": 250,
            "price_cny_per_t": "50.00",
            "trade_date": "2025-05-01",
        },
    )
    assert response.status_code == 302
    proposal = TransferProposal.objects.get()
    assert login(firm_user).post(reverse("registry:transfer_approve", args=[proposal.pk])).status_code == 403
    assert login(firm_approver).post(reverse("registry:transfer_approve", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "executed"


def test_an_unknown_receiving_account_is_named(login, funded, firm_approver):
    mine, _ = funded
    response = login(firm_approver).post(
        reverse("registry:transfer_propose", args=[mine.pk]),
        {"to_account": "NOPE-1", "unit_type": ALLOWANCE, "vintage": 2025, "quantity": 5},
    )
    assert "There is no firm holding account NOPE-1 in this market." in response.content.decode()
    assert not TransferProposal.objects.exists()


def test_another_firm_cannot_decide_a_proposal(login, funded, firm_approver, other_firm_user):
    mine, theirs = funded
    proposal = services.transfer_propose(
        from_account=mine, to_account=theirs, unit=A25, quantity=5, acting_user=firm_approver
    )
    assert login(other_firm_user).post(reverse("registry:transfer_approve", args=[proposal.pk])).status_code == 404


def test_the_surrender_form_shows_the_remaining_obligation_and_offset_headroom(login, funded, firm, firm_user):
    mine, _ = funded
    determine(firm, 2025, 800)  # Shanghai: offsets up to 5% = 40 t
    client = login(firm_user)
    page = client.get(reverse("registry:surrender", args=[mine.pk]) + "?year=2025").content.decode()
    assert "remaining obligation: 800 t" in page and "offset headroom: 40 t" in page
    form = {"year": 2025, "idempotency_key": "fixed", "u_ALLOWANCE_2025_": 500}
    assert client.post(reverse("registry:surrender", args=[mine.pk]), form).status_code == 302
    client.post(reverse("registry:surrender", args=[mine.pk]), form)  # a double submit surrenders once
    assert Transaction.objects.filter(kind="surrender").count() == 1
    page = client.get(reverse("registry:surrender", args=[mine.pk]) + "?year=2025").content.decode()
    assert "remaining obligation: 300 t" in page


@pytest.mark.parametrize("name", ["compliance", "allocation_tables", "penalties", "statistics", "trade_import"])
def test_regulator_pages_are_closed_to_firms_and_verifiers(login, firm_user, verifier, name):
    for user in (firm_user, verifier):
        assert login(user).get(reverse(f"registry:{name}")).status_code == 403


def test_the_compliance_dashboard_shows_only_the_regulators_market_in_bounded_queries(
    login, cap_2025, firm, regulator, beijing_firm, shanghai, django_assert_max_num_queries
):
    for i in range(15):
        determine(FirmFactory(market=shanghai, name=f"沪企{i}"), 2025, 100 + i)
    determine(beijing_firm, 2025, 100)
    client = login(regulator)
    # 16: one of them checks the year against the market's rule packs (Market.supported_years).
    with django_assert_max_num_queries(20):  # constant whatever the number of firms (16 firms here)
        page = client.get(reverse("registry:compliance") + "?year=2025")
    content = page.content.decode()
    assert "沪企14" in content and beijing_firm.name not in content


def test_exports_neutralise_formula_cells(login, cap_2025, regulator, shanghai):
    determine(FirmFactory(market=shanghai, name='=HYPERLINK("http://x")'), 2025, 100)
    client = login(regulator)
    csv_text = client.get(reverse("registry:compliance") + "?year=2025&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    xlsx = client.get(reverse("registry:compliance") + "?year=2025&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x")' in names
    amounts = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert 100 in amounts  # numbers stay numbers


def test_the_statistics_page_draws_a_chart_and_exports(login, cap_2025, regulator):
    client = login(regulator)
    page = client.get(reverse("registry:statistics") + "?year=2025").content.decode()
    assert "<svg" in page and "1,000,000 t" in page
    assert '<td class="num">1,000,000</td>' in page and "2,025" not in page  # figures grouped, years not
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("registry:statistics") + "?year=2025&format=csv").content.decode("utf-8-sig")
            )
        )
    )
    header, year_2025 = rows[0], next(r for r in rows if r[1] == "2025")
    assert year_2025[header.index("cap (tCO2e)")] == "1000000"


def test_another_markets_regulator_gets_404_on_a_table(
    login, cap_2025, firm, regulator, regulator_head, other_regulator
):
    table = AllocationTable.objects.create(market=firm.market, year=2025)
    assert login(other_regulator).get(reverse("registry:allocation_table", args=[table.pk])).status_code == 404
    assert login(other_regulator).post(reverse("registry:allocation_approve", args=[table.pk])).status_code == 404
    assert login(regulator).post(reverse("registry:allocation_approve", args=[table.pk])).status_code == 403
    assert login(regulator_head).post(reverse("registry:allocation_approve", args=[table.pk])).status_code == 302
    table.refresh_from_db()
    assert table.status == "approved"


def test_the_trade_import_page_lists_bad_rows(login, funded, regulator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mine, theirs = funded
    data = (
        "trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t\n"
        f"T1,2025-04-01,{mine.number},{theirs.number},2025,0,45\n"
    ).encode()
    response = login(regulator).post(
        reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", data, "text/csv")}
    )
    assert response.status_code == 400
    assert "Row 2: quantity &#x27;0&#x27; is not a whole number" in response.content.decode()
    assert not Transaction.objects.filter(kind="trade").exists()


def test_ledger_entries_are_read_only_in_the_admin_even_for_the_national_admin(
    login, funded, national_admin, other_regulator, regulator
):
    tx = Transaction.objects.get(kind="issuance")
    entry = tx.entries.first()
    client = login(national_admin)
    assert client.get(reverse("admin:registry_entry_changelist")).status_code == 200
    page = client.get(reverse("admin:registry_entry_change", args=[entry.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:registry_entry_change", args=[entry.pk]), {"quantity": 1}).status_code == 403
    assert client.get(reverse("admin:registry_entry_delete", args=[entry.pk])).status_code == 403
    assert login(regulator).get(reverse("admin:registry_transaction_change", args=[tx.pk])).status_code == 200
    assert login(other_regulator).get(reverse("admin:registry_transaction_change", args=[tx.pk])).status_code == 302


def test_the_statistics_page_needs_the_same_queries_for_many_firms(
    login, cap_2025, regulator, shanghai, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(regulator)
    url = reverse("registry:statistics") + "?year=2025"
    determine(FirmFactory(market=shanghai), 2025, 100)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        determine(FirmFactory(market=shanghai), 2025, 101 + i)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_penalty_is_proposed_from_the_dashboard_for_a_marked_firm_only(
    login, cap_2025, firm, regulator, other_regulator, beijing_firm
):
    import datetime

    from registry.models import Penalty

    determine(firm, 2024, 70)
    services.compliance_mark_non_compliant(market=firm.market, year=2024, today=datetime.date(2025, 7, 1))
    assert (
        login(other_regulator).post(reverse("registry:penalties"), {"firm": firm.pk, "year": 2024}).status_code == 404
    )
    assert login(regulator).post(reverse("registry:penalties"), {"firm": "x", "year": 2024}).status_code == 404
    assert login(regulator).post(reverse("registry:penalties"), {"firm": firm.pk, "year": 2024}).status_code == 302
    penalty = Penalty.objects.get()
    # Shanghai: shortfall 70 t → minimum fine CNY 50,000, 70 t deducted from the next allocation
    assert (penalty.shortfall_tco2e, penalty.fine_cny, penalty.deduction_tco2e) == (D(70), D("50000.00"), D(70))


def test_the_regulator_records_offset_credits_once_per_form(login, funded, firm, regulator, other_regulator, firm_user):
    mine, _ = funded
    form = {
        "account": mine.number,
        "offset_type": "CCER",
        "project": "CCER-9",
        "vintage": 2024,
        "quantity": 40,
        "idempotency_key": "form-1",
    }
    assert login(firm_user).post(reverse("registry:offset_credits"), form).status_code == 403
    assert (
        "There is no firm holding account"
        in login(other_regulator).post(reverse("registry:offset_credits"), form).content.decode()
    )
    client = login(regulator)
    assert client.post(reverse("registry:offset_credits"), form).status_code == 302
    assert client.post(reverse("registry:offset_credits"), form).status_code == 302  # double submit
    assert Transaction.objects.filter(kind="offset_issuance").count() == 1
    from registry import selectors

    assert {"unit_type": "CCER", "vintage": 2024, "project": "CCER-9", "quantity": D(40)} in selectors.holdings(mine)


def _trades(mine, theirs, n, bad_line=None):
    rows = ["trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t"]
    for i in range(n):
        quantity = 0 if i + 2 == bad_line else 1
        rows.append(f"T{i},2025-04-01,{mine.number},{theirs.number},2025,{quantity},45")
    return ("\n".join(rows) + "\n").encode()


def test_a_large_trade_file_is_recorded_by_a_worker_with_progress(login, funded, regulator, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mrv import jobs
    from mrv.models import BackgroundJob

    settings.TRADE_IMPORT_INLINE_ROWS = 3
    mine, theirs = funded
    client = login(regulator)
    response = client.post(
        reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", _trades(mine, theirs, 5))}
    )
    job = BackgroundJob.objects.get(kind="trade_import")
    assert response.status_code == 302 and response["Location"] == reverse("ui:job_detail", args=[job.pk])
    assert not Transaction.objects.filter(kind="trade").exists()  # nothing recorded by the request
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress_total, job.result_message) == ("done", 5, "5 trades recorded.")
    assert Transaction.objects.filter(kind="trade").count() == 5
    page = client.get(reverse("ui:job_detail", args=[job.pk])).content.decode()
    assert "5 trades recorded." in page and reverse("registry:trade_import") in page


def test_a_bad_row_in_a_large_trade_file_records_nothing_and_the_job_names_it(login, funded, regulator, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mrv import jobs
    from mrv.models import BackgroundJob

    settings.TRADE_IMPORT_INLINE_ROWS = 3
    mine, theirs = funded
    data = _trades(mine, theirs, 6, bad_line=5)
    login(regulator).post(reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", data)})
    job = BackgroundJob.objects.get(kind="trade_import")
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and any(issue.startswith("Row 5: quantity") for issue in job.issues)
    assert not Transaction.objects.filter(kind="trade").exists()


def test_another_markets_regulator_cannot_move_this_markets_units_through_a_background_import(
    login, funded, other_regulator, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mrv import jobs
    from mrv.models import BackgroundJob

    settings.TRADE_IMPORT_INLINE_ROWS = 3
    mine, theirs = funded
    login(other_regulator).post(
        reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", _trades(mine, theirs, 5))}
    )
    job = BackgroundJob.objects.get(kind="trade_import")
    assert job.params["market"] == other_regulator.authority.market_id  # imports into its own market only
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and len(job.issues) >= 5  # the accounts are not of its market
    assert not Transaction.objects.filter(kind="trade").exists()
