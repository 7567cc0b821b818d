"""The shared list machinery: sorting by whitelisted columns, filters, pages, exports, bounded queries."""

import csv
import io

import pytest
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from mrv.models import EmissionReport
from mrv.ui.lists import Column, Filter, ListSpec, build_listing, export_response, neutralise
from tests import factories as f

SPEC = ListSpec(
    name="firms-test",
    columns=[
        Column("name", "name", "firm.name", order_by="firm__name"),
        Column("year", "year", "year", order_by="year"),
        Column("status", "status", "status", badge=True),
        Column("secret", "secret", "firm.credit_code"),  # not sortable
    ],
    filters=[
        Filter("status", "status", "status", choices=EmissionReport.Status.choices),
        Filter("q", "q", "firm__name__icontains"),
    ],
    default_sort="-year",
    page_size=2,
    select_related=("firm",),
)


@pytest.fixture
def reports(firm, other_firm, beijing_firm):
    return [f.ReportFactory(firm=x, year=y) for x, y in ((firm, 2023), (other_firm, 2024), (beijing_firm, 2025))]


def listing(query=""):
    request = RequestFactory().get("/list/" + query)
    return build_listing(request, SPEC, EmissionReport.objects.all())


@pytest.mark.parametrize("neutral", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(neutral):
    assert neutralise(neutral) == "'" + neutral


def test_plain_text_and_numbers_are_left_alone():
    assert neutralise("上海") == "上海"
    assert neutralise(-5) == -5


def test_default_sort_applies_when_none_is_asked(reports):
    assert [row[1].value for row in listing().rows] == [2025, 2024]


def test_sorting_by_a_whitelisted_column(reports):
    assert [row[1].value for row in listing("?sort=year").rows] == [2023, 2024]


def test_an_unknown_or_unsortable_column_falls_back_to_the_default(reports):
    assert listing("?sort=firm__credit_code").sort == "-year"
    assert listing("?sort=secret").sort == "-year"
    assert listing("?sort=-password").sort == "-year"


def test_filters_keep_only_matching_rows_and_ignore_values_not_in_the_choices(reports, beijing_firm):
    assert [row[0].value for row in listing("?q=北京").rows] == [beijing_firm.name]
    assert listing("?status=nonsense").page.paginator.count == 3


def test_pages_hold_page_size_rows(reports):
    page2 = listing("?page=2")
    assert page2.page.number == 2 and len(page2.rows) == 1


def test_csv_export_has_every_filtered_row_and_neutralises_formulas(reports, firm):
    firm.name = '=HYPERLINK("http://evil")'
    firm.save()
    response = export_response(SPEC, EmissionReport.objects.all(), "csv", {"sort": "year"})
    assert response["Content-Disposition"].startswith('attachment; filename="firms-test-')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "year", "status", "secret"]
    assert len(rows) == 4  # heading + 3 reports, not one page of 2
    assert '\'=HYPERLINK("http://evil")' in [r[0] for r in rows]
    assert rows[1][2] == "draft"  # the state's label, not a badge's HTML


def test_xlsx_export_writes_neutralised_text_as_text_not_formula(reports, firm):
    firm.name = "=1+2"
    firm.save()
    response = export_response(SPEC, EmissionReport.objects.filter(firm=firm), "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet["A2"]
    assert cell.value == "'=1+2" and cell.data_type == "s"
    assert sheet["B2"].value == 2023


def test_report_list_page_queries_do_not_grow_with_rows(
    client, regulator, firm, other_firm, django_assert_max_num_queries
):
    client.force_login(regulator)
    f.ReportFactory(firm=firm)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("ui:report_list")).status_code == 200
    for year in range(2000, 2030):
        f.ReportFactory(firm=other_firm, year=year)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("ui:report_list") + "?sort=firm")
    assert response.status_code == 200


def test_report_list_exports_are_bounded_too(client, regulator, firm, django_assert_max_num_queries):
    client.force_login(regulator)
    for year in range(2000, 2030):
        f.ReportFactory(firm=firm, year=year)
    for fmt in ("csv", "xlsx"):
        with django_assert_max_num_queries(8):
            response = client.get(reverse("ui:report_list") + f"?export={fmt}")
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_report_list_export_holds_only_what_the_user_may_see(client, firm_user, firm, other_firm):
    f.ReportFactory(firm=firm)
    f.ReportFactory(firm=other_firm)
    client.force_login(firm_user)
    text = client.get(reverse("ui:report_list") + "?export=csv").content.decode("utf-8-sig")
    assert firm.name in text and other_firm.name not in text
