"""The admin's big changelists: counts from the planner when large, filter values from an index walk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mrv import admin_scale
from mrv.audit import log_action
from mrv.models import AuditLog


@pytest.fixture
def audit_rows(firm):
    actions = ["mrv.report.submitted", "mrv.plan.approved", "registry.transfer.executed"]
    for n in range(30):
        log_action(firm, actions[n % 3], reason=f"row {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mrv_auditlog")
    return actions


def test_a_small_result_is_counted_exactly(audit_rows):
    paginator = admin_scale.EstimatedCountPaginator(AuditLog.objects.all(), 20)
    assert paginator.count == AuditLog.objects.count()


def test_a_large_result_shows_the_planners_estimate_instead_of_counting(audit_rows, monkeypatch):
    monkeypatch.setattr(admin_scale, "EXACT_COUNT_BELOW", 1)
    queryset = AuditLog.objects.filter(action="mrv.plan.approved")
    paginator = admin_scale.EstimatedCountPaginator(queryset, 20)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    assert count == admin_scale.planner_rows(queryset)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_the_action_filter_lists_each_action_once_from_the_index(client, national_admin, audit_rows):
    client.force_login(national_admin)
    response = client.get(reverse("admin:mrv_auditlog_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    for action in audit_rows:
        assert page.count(f"?action={action}") == 1


def test_the_audit_changelist_costs_the_same_queries_for_30_or_300_rows(client, national_admin, audit_rows, firm):
    client.force_login(national_admin)
    url = reverse("admin:mrv_auditlog_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(270):
        log_action(firm, "mrv.report.returned", reason=f"more {n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
