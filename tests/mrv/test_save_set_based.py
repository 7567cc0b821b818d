"""Saving a report's activity and output rows is set-based (issue 17): the number of queries does not grow with
the number of rows, a row given again replaces the stored one, and a bad cell saves nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mrv.models import ActivityDataRow, AuditLog, OutputDataRow
from mrv.services import reports as svc
from tests import factories as f


@pytest.fixture
def report(firm):
    return f.ReportFactory(firm=firm, year=2025)


def _rows(streams, activity="100"):
    return [{"stream": s, "month": m, "activity": activity, "ncv": "20.9"} for s in streams for m in range(1, 13)]


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_activity_rows_are_stored_in_the_same_queries_whatever_their_number(firm_user, report):
    svc.report_store_activity_data(report=report, rows=_rows(["a"]), acting_user=firm_user)  # caches warm
    one = _queries(lambda: svc.report_store_activity_data(report=report, rows=_rows(["a"]), acting_user=firm_user))
    many = _queries(
        lambda: svc.report_store_activity_data(report=report, rows=_rows(["b", "c", "d", "e"]), acting_user=firm_user)
    )
    assert one == many and ActivityDataRow.objects.filter(report=report).count() == 60
    again = svc.report_store_activity_data(report=report, rows=_rows(["a", "c"], "7"), acting_user=firm_user)
    assert again == 24
    values = dict(ActivityDataRow.objects.filter(report=report, month=1).values_list("stream_code", "activity"))
    assert values == {"a": Decimal(7), "b": Decimal(100), "c": Decimal(7), "d": Decimal(100), "e": Decimal(100)}
    assert AuditLog.objects.for_object(report).filter(action="mrv.emissionreport.data_saved").count() == 4


def test_a_bad_cell_names_row_and_field_and_saves_nothing(firm_user, report):
    svc.report_store_activity_data(report=report, rows=_rows(["a"]), acting_user=firm_user)
    rows = _rows(["a"], "5")
    rows[3]["ncv"] = "abc"
    with pytest.raises(ValidationError) as refused:
        svc.report_store_activity_data(report=report, rows=rows, acting_user=firm_user)
    assert any("Row 4 (a, month 4), ncv" in m and "abc" in m for m in refused.value.messages)
    assert set(ActivityDataRow.objects.filter(report=report).values_list("activity", flat=True)) == {Decimal(100)}


def test_output_rows_are_replaced_in_the_same_queries_and_a_name_given_twice_keeps_its_last_row(firm_user, report):
    def save(rows):
        return lambda: svc.report_save_output_data(report=report, rows=rows, acting_user=firm_user)

    save([{"name": "电力", "amount": "1", "unit": "MWh"}])()  # caches warm
    one = _queries(save([{"name": "电力", "amount": "1", "unit": "MWh"}]))
    rows = [{"name": f"p{n}", "amount": str(n), "unit": "t"} for n in range(30)]
    rows += [{"name": "电力", "amount": "5", "unit": "MWh"}, {"name": "电力", "amount": "6", "unit": "MWh"}]
    assert _queries(save(rows)) == one
    stored = {(o.kind, o.name): o.amount for o in OutputDataRow.objects.filter(report=report)}
    assert len(stored) == 31 and stored[("product", "电力")] == Decimal(6) and stored[("product", "p7")] == Decimal(7)
