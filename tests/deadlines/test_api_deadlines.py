"""Deadlines and notifications through the API: only one's own notifications, years validated."""

from deadlines.services import notify
from tests.mrv.test_api import api


def test_a_firm_reads_its_deadlines_and_a_bad_year_is_a_400(firm_user, firm):
    rows = api(firm_user).get("/api/v1/deadlines/", {"year": 2025}).json()
    assert rows and {r["firm"] for r in rows} == {firm.pk} and {r["year"] for r in rows} == {2025}
    assert {"kind", "due_date", "status", "days_left"} <= set(rows[0])
    bad = api(firm_user).get("/api/v1/deadlines/", {"year": "abc"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "#/year"


def test_notifications_are_ones_own_and_can_be_marked_read(firm_user, other_firm_user):
    mine = notify(
        [firm_user], "deadline_reminder", {"firm": "x", "deadline": "annual_report", "year": 2025, "days": 3}
    )[0]
    theirs = notify(
        [other_firm_user], "deadline_reminder", {"firm": "x", "deadline": "annual_report", "year": 2025, "days": 3}
    )[0]
    client = api(firm_user)
    listed = client.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in listed["results"]] == [mine.pk] and listed["results"][0]["text"]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine.pk}/read/").json()["read_at"]
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert client.get("/api/v1/notifications/", {"unread": "maybe"}).status_code == 400
