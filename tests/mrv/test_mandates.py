"""Data-entry mandates: a firm's approver entrusts a person of another firm with its data; that person reads the
firm's reports and writes its drafts' data (browser, single PUT, batch PUT for many firms), and nothing more."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mrv import access
from mrv.models import ActivityDataRow, AuditLog, DataEntryMandate, EmissionReport, User
from mrv.refusals import Refused
from mrv.services import mandates as svc
from mrv.services import reports as report_svc
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, monthly, report
from tests.mrv.test_api import api

ROWS = monthly("coal", range(1, 13), activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")


@pytest.fixture
def group_reporter(other_firm):
    """A reporter of the group's head office (another covered firm)."""
    return f.UserFactory(username="group_reporter", role=User.Role.FIRM_REPORTER, firm=other_firm)


@pytest.fixture
def third_firm(shanghai):
    return f.FirmFactory(name="上海第三电厂", market=shanghai, sector=f.sector("power"))


@pytest.fixture
def entrusted(firm, firm_approver, group_reporter):
    approved_plan(firm, [COAL])
    return svc.mandate_grant(firm=firm, username="group_reporter", acting_user=firm_approver, reason="集团统一填报")


# --- Granting and ending ----------------------------------------------------------------------------------


def test_the_approver_entrusts_a_person_and_the_grant_is_audited(entrusted, firm_approver, group_reporter):
    assert (entrusted.grantee, entrusted.is_open) == (group_reporter, True)
    row = AuditLog.objects.for_object(entrusted).get()
    assert (row.action, row.actor, row.to_state, row.reason) == (
        "mrv.mandate.mandate_granted",
        firm_approver,
        DataEntryMandate.IN_FORCE,
        "集团统一填报",
    )


@pytest.mark.parametrize(
    ("username", "code"),
    [("nobody", "no_such_person"), ("firm_reporter", "own_person"), ("group_reporter", "already_entrusted")],
)
def test_a_grant_is_refused_with_a_reason_and_changes_nothing(
    entrusted, firm, firm_approver, firm_user, username, code
):
    with pytest.raises(Refused) as refused:
        svc.mandate_grant(firm=firm, username=username, acting_user=firm_approver)
    assert refused.value.code == code
    assert DataEntryMandate.objects.count() == 1


def test_a_reporter_or_another_firm_may_not_grant(firm, firm_user, group_reporter, other_firm_user):
    for user in (firm_user, other_firm_user):
        with pytest.raises(PermissionDenied):
            svc.mandate_grant(firm=firm, username="group_reporter", acting_user=user)
    assert not DataEntryMandate.objects.exists()


def test_a_regulator_or_a_deactivated_person_cannot_be_entrusted(firm, firm_approver, regulator, group_reporter):
    group_reporter.is_active = False
    group_reporter.save()
    for username in (regulator.username, "group_reporter"):
        with pytest.raises(Refused):
            svc.mandate_grant(firm=firm, username=username, acting_user=firm_approver)


def test_the_entrusted_person_gives_the_mandate_back_and_loses_the_firms_reports(entrusted, firm, group_reporter):
    draft = report(firm)
    assert access.can_view(group_reporter, draft)
    svc.mandate_end(mandate=entrusted, acting_user=group_reporter, reason="项目结束")
    entrusted.refresh_from_db()
    assert (entrusted.ended_by, entrusted.end_reason) == (group_reporter, "项目结束")
    ended = AuditLog.objects.for_object(entrusted).get(action="mrv.mandate.mandate_ended")
    assert (ended.from_state, ended.to_state, ended.actor) == (
        DataEntryMandate.IN_FORCE,
        DataEntryMandate.ENDED,
        group_reporter,
    )
    fresh = User.objects.get(pk=group_reporter.pk)  # a new request
    assert not access.can_view(fresh, draft) and not access.visible_to(fresh, EmissionReport).filter(pk=draft.pk)
    with pytest.raises(Refused):
        svc.mandate_end(mandate=entrusted, acting_user=group_reporter)


def test_only_the_firms_approver_or_the_person_ends_a_mandate(entrusted, firm_user, other_firm_user, third_firm):
    outsider = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=third_firm)
    for user in (firm_user, outsider):
        with pytest.raises(PermissionDenied):
            svc.mandate_end(mandate=entrusted, acting_user=user)
    assert DataEntryMandate.objects.get().is_open


# --- What the entrusted person may do ----------------------------------------------------------------------


def test_the_entrusted_person_sees_the_firms_reports_and_no_other(entrusted, firm, group_reporter, third_firm):
    mine, theirs, unrelated = report(group_reporter.firm), report(firm), report(third_firm)
    visible = set(access.visible_to(group_reporter, EmissionReport).values_list("pk", flat=True))
    assert visible == {mine.pk, theirs.pk}
    assert [access.can_view(group_reporter, r) for r in (mine, theirs, unrelated)] == [True, True, False]


def test_the_entrusted_person_enters_data_but_does_not_submit_or_acknowledge(entrusted, firm, group_reporter):
    draft = report(firm)
    checked = report_svc.report_save_activity_data(report=draft, rows=ROWS, acting_user=group_reporter)
    assert checked.result is not None and ActivityDataRow.objects.filter(report=draft).count() == 12
    with pytest.raises((PermissionDenied, ValidationError, Refused)):
        report_svc.report_submit(report=draft, acting_user=group_reporter, certification=f.certified())
    with pytest.raises(PermissionDenied):
        report_svc.report_acknowledge_warning(report=draft, key="any", reason="x", acting_user=group_reporter)
    assert EmissionReport.objects.get(pk=draft.pk).status == "draft"


def test_without_a_mandate_another_firms_person_may_not_enter_data(firm, group_reporter):
    approved_plan(firm, [COAL])
    with pytest.raises(PermissionDenied):
        report_svc.report_store_activity_data(report=report(firm), rows=ROWS, acting_user=group_reporter)


# --- The batch PUT: many firms' data in one request ---------------------------------------------------------


@pytest.fixture
def two_firms(entrusted, firm, third_firm, group_reporter):
    """The group reporter holds the data of two firms; one draft each."""
    approved_plan(third_firm, [COAL])
    third_approver = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=third_firm)
    svc.mandate_grant(firm=third_firm, username="group_reporter", acting_user=third_approver)
    return report(firm), report(third_firm)


def _batch(*entries) -> dict:
    return {"reports": [{"report": r.pk, "rows": rows} | extra for r, rows, extra in entries]}


def test_the_entrusted_person_pushes_two_firms_data_in_one_request(two_firms, group_reporter):
    first, second = two_firms
    client = api(group_reporter)
    response = client.put(
        "/api/v1/reports/activity-data/", _batch((first, ROWS, {}), (second, ROWS[:3], {})), format="json"
    )
    assert response.status_code == 200, response.json()
    body = {entry["report"]: entry for entry in response.json()["reports"]}
    assert (body[first.pk]["stored"], body[second.pk]["stored"]) == (12, 3)
    assert ActivityDataRow.objects.filter(report=first).count() == 12
    assert ActivityDataRow.objects.filter(report=second).count() == 3
    for draft in (first, second):
        assert client.get(f"/api/v1/reports/{draft.pk}/")["ETag"] == body[draft.pk]["etag"]
        saved = AuditLog.objects.for_object(draft).get(action="mrv.emissionreport.data_saved")
        assert saved.actor == group_reporter
    validation = client.get(body[first.pk]["validation"]).json()
    single = report_svc.validate_report(EmissionReport.objects.get(pk=first.pk))
    assert validation["totals"] == single.result.as_dict()["totals"]


def test_a_second_push_replaces_the_months_sent_and_keeps_the_others(two_firms, group_reporter):
    first, _second = two_firms
    client = api(group_reporter)
    client.put("/api/v1/reports/activity-data/", _batch((first, ROWS, {})), format="json")
    again = [dict(ROWS[0], activity="2000")]
    assert client.put("/api/v1/reports/activity-data/", _batch((first, again, {})), format="json").status_code == 200
    rows = ActivityDataRow.objects.filter(report=first)
    assert rows.count() == 12 and str(rows.get(month=1).activity).rstrip("0").rstrip(".") == "2000"


def test_a_bad_row_anywhere_stores_nothing_and_names_the_entry_and_the_row(two_firms, group_reporter):
    first, second = two_firms
    bad = [*ROWS[:2], dict(ROWS[2], ncv="twenty")]
    response = api(group_reporter).put(
        "/api/v1/reports/activity-data/", _batch((first, ROWS, {}), (second, bad, {})), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["pointer"], e["report"], e["row"]) for e in errors} == {("#/reports/1/rows/2", second.pk, 3)}
    assert "“twenty” is not a number" in errors[0]["detail"]
    assert not ActivityDataRow.objects.exists()


def test_a_report_of_a_firm_that_did_not_entrust_the_person_is_a_404_and_stores_nothing(
    two_firms, group_reporter, shanghai
):
    first, _second = two_firms
    stranger = report(f.FirmFactory(market=shanghai, sector=f.sector("power")))
    response = api(group_reporter).put(
        "/api/v1/reports/activity-data/", _batch((first, ROWS, {}), (stranger, ROWS, {})), format="json"
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["pointer"] == "#/reports/1/report"
    assert not ActivityDataRow.objects.exists()


def test_a_stale_if_match_is_a_412_naming_the_entry(two_firms, group_reporter):
    first, second = two_firms
    client = api(group_reporter)
    etag = client.get(f"/api/v1/reports/{second.pk}/")["ETag"]
    client.put("/api/v1/reports/activity-data/", _batch((second, ROWS[:1], {})), format="json")
    response = client.put(
        "/api/v1/reports/activity-data/",
        _batch(
            (first, ROWS, {"if_match": client.get(f"/api/v1/reports/{first.pk}/")["ETag"]}),
            (second, ROWS, {"if_match": etag}),
        ),
        format="json",
    )
    assert response.status_code == 412
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/reports/1/if_match"]
    assert ActivityDataRow.objects.filter(report=first).count() == 0


def test_a_report_no_longer_open_is_a_409_and_stores_nothing(two_firms, group_reporter):
    first, second = two_firms
    EmissionReport.objects.filter(pk=second.pk).update(status="submitted")
    response = api(group_reporter).put(
        "/api/v1/reports/activity-data/", _batch((first, ROWS, {}), (second, ROWS, {})), format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    assert not ActivityDataRow.objects.exists()


def test_the_same_report_twice_is_a_400(two_firms, group_reporter):
    first, _second = two_firms
    response = api(group_reporter).put(
        "/api/v1/reports/activity-data/", _batch((first, ROWS[:1], {}), (first, ROWS[1:2], {})), format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["pointer"] == "#/reports/1/rows"


def test_a_regulator_who_sees_the_reports_may_not_write_them(two_firms, regulator):
    first, _second = two_firms
    response = api(regulator).put("/api/v1/reports/activity-data/", _batch((first, ROWS, {})), format="json")
    assert response.status_code == 403 and not ActivityDataRow.objects.exists()


def test_a_batch_costs_the_same_statements_for_two_reports_as_for_twenty(entrusted, firm, group_reporter, shanghai):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    drafts = [report(firm)]
    for i in range(19):
        other = f.FirmFactory(market=shanghai, sector=f.sector("power"), name=f"集团电厂{i}")
        approver = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=other)
        svc.mandate_grant(firm=other, username="group_reporter", acting_user=approver)
        drafts.append(report(other))
    client = api(group_reporter)
    counts = []
    for size in (2, 2, 20):  # the first request warms the per-process caches (content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.put(
                "/api/v1/reports/activity-data/", _batch(*[(d, ROWS, {}) for d in drafts[:size]]), format="json"
            )
        assert response.status_code == 200, response.json()
        counts.append(len(queries))
    assert counts[1] == counts[2]


# --- The mandates through the API and the browser -------------------------------------------------------------


def test_the_approver_grants_and_the_person_gives_back_through_the_api(firm, firm_approver, group_reporter):
    import uuid

    approver, person = api(firm_approver), api(group_reporter)
    created = approver.post(
        "/api/v1/mandates/",
        {"username": "group_reporter", "reason": "集团填报"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["grantee"], body["firm"], body["actions"]) == ("group_reporter", firm.pk, ["end"])
    assert [m["id"] for m in person.get("/api/v1/mandates/").json()["results"]] == [body["id"]]
    again = approver.post(
        "/api/v1/mandates/", {"username": "group_reporter"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert again.status_code == 409 and again.json()["code"] == "already_entrusted"
    url = f"/api/v1/mandates/{body['id']}/end/"
    ended = person.post(url, {"reason": "done"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert ended.status_code == 200 and ended.json()["ended_by"] == "group_reporter"
    twice = approver.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert twice.status_code == 409 and twice.json()["code"] == "ended"


def test_a_reporter_may_not_grant_through_the_api(firm_user, group_reporter):
    import uuid

    response = api(firm_user).post(
        "/api/v1/mandates/", {"username": "group_reporter"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 403 and not DataEntryMandate.objects.exists()


def test_the_page_grants_lists_and_ends(client, firm, firm_approver, group_reporter, regulator):
    client.force_login(firm_approver)
    page = client.get("/mandates/")
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post("/mandates/grant/", {"username": "group_reporter", "reason": "集团填报"}, follow=True)
    assert "集团填报" in response.content.decode()
    mandate = DataEntryMandate.objects.get()
    refused = client.post("/mandates/grant/", {"username": "nobody"}, follow=True)
    assert "“nobody”" in refused.content.decode() and DataEntryMandate.objects.count() == 1
    client.force_login(group_reporter)
    held = client.get("/mandates/").content.decode()
    assert firm.name in held and f"/mandates/{mandate.pk}/end/" in held and 'name="username"' not in held
    assert 'data-state="mandate_in_force"' in held and ">in force<" in held
    client.force_login(regulator)
    assert firm.name in client.get("/mandates/").content.decode()
    client.force_login(group_reporter)
    client.post(f"/mandates/{mandate.pk}/end/", {"reason": "项目结束"})
    assert not DataEntryMandate.objects.get().is_open
    client.force_login(firm_approver)  # the firm's list keeps the ended mandate, with who ended it and why
    ended = client.get("/mandates/").content.decode()
    assert ">ended<" in ended and "项目结束" in ended


def test_another_firms_person_cannot_end_a_mandate_from_the_page(entrusted, client, other_firm, shanghai):
    stranger = f.UserFactory(
        role=User.Role.FIRM_APPROVER, firm=f.FirmFactory(market=shanghai, sector=f.sector("power"))
    )
    client.force_login(stranger)
    assert client.post(f"/mandates/{entrusted.pk}/end/").status_code == 404
    assert DataEntryMandate.objects.get().is_open


def test_the_entrusted_person_fills_the_grid_in_the_browser(entrusted, client, firm, group_reporter):
    draft = report(firm)
    client.force_login(group_reporter)
    page = client.get(f"/reports/{draft.pk}/data/")
    assert page.status_code == 200
    from mrv.ui import report_data as grid

    post = {grid.input_name("coal", 1, "activity"): "1000", grid.input_name("coal", 1, "ncv"): "20.908"}
    client.post(f"/reports/{draft.pk}/data/save/", post)
    assert ActivityDataRow.objects.filter(report=draft, month=1).exists()
    assert client.post(f"/reports/{draft.pk}/submit/", {"certify": "on"}).status_code == 403


def test_numbers_and_text_are_read_as_drf_reads_them_in_the_batch_and_the_single_put(two_firms, group_reporter):
    """The one-pass check of plain rows hands the service what DRF's fields would: a number for a text field as
    its text, a month given as text through DRF's own field; a nested object or a boolean is DRF's 400."""
    first, second = two_firms
    client = api(group_reporter)
    numeric = [{"stream": 7, "month": "3", "activity": 1000.5, "ncv": 20.908, "ncv_unit": "GJ/t"}]
    plain = [{"stream": "coal", "month": 2, "activity": 999, "activity_unit": "t"}]
    response = client.put(
        "/api/v1/reports/activity-data/", _batch((first, numeric, {}), (second, plain, {})), format="json"
    )
    assert response.status_code == 200, response.json()
    row = ActivityDataRow.objects.get(report=first)
    assert (row.stream_code, row.month, str(row.activity).rstrip("0"), str(row.ncv).rstrip("0")) == (
        "7",
        3,
        "1000.5",
        "20.908",
    )
    assert str(ActivityDataRow.objects.get(report=second).activity).rstrip("0").rstrip(".") == "999"
    for bad in ({"stream": {"a": 1}, "month": 1, "activity": "1"}, {"stream": "coal", "month": 1, "activity": True}):
        single = client.put(f"/api/v1/reports/{second.pk}/activity-data/", {"rows": [bad]}, format="json")
        batch = client.put("/api/v1/reports/activity-data/", _batch((second, [bad], {})), format="json")
        assert (single.status_code, batch.status_code) == (400, 400)
        assert batch.json()["errors"][0]["pointer"].startswith("#/reports/0/rows/0/")


def test_a_batch_spanning_two_markets_is_audited_in_each_markets_chain(entrusted, firm, beijing_firm, group_reporter):
    approved_plan(beijing_firm, [COAL])
    approver = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=beijing_firm)
    svc.mandate_grant(firm=beijing_firm, username="group_reporter", acting_user=approver)
    shanghai_draft, beijing_draft = report(firm), report(beijing_firm)
    response = api(group_reporter).put(
        "/api/v1/reports/activity-data/", _batch((beijing_draft, ROWS, {}), (shanghai_draft, ROWS, {})), format="json"
    )
    assert response.status_code == 200, response.json()
    saved = AuditLog.objects.filter(action="mrv.emissionreport.data_saved").order_by("pk")
    assert sorted(row.market_id for row in saved) == sorted([firm.market_id, beijing_firm.market_id])
    assert all(row.chain_seq and row.row_hash for row in saved)
