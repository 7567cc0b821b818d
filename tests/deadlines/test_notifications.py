from django.urls import reverse

from deadlines.models import Notification
from deadlines.services import notify

K = Notification.Kind


def reminder(user, firm, days_left=7):
    params = {
        "firm": firm.name,
        "firm_id": firm.pk,
        "year": 2025,
        "deadline": "annual_report",
        "due_date": "2026-03-31",
        "days_left": days_left,
    }
    return Notification.objects.create(
        recipient=user, kind=K.DEADLINE_REMINDER, params=params, url=reverse("deadlines:calendar")
    )


def test_bell_shows_the_unread_count_on_every_page(client, firm, firm_user):
    reminder(firm_user, firm)
    reminder(firm_user, firm, days_left=1)
    client.force_login(firm_user)
    response = client.get(reverse("home"))
    assert response.context["unread_notifications_count"] == 2
    assert reverse("deadlines:notifications") in response.content.decode()


def test_anonymous_pages_have_no_bell_count(client, db):
    response = client.get(reverse("login"))
    assert "unread_notifications_count" not in response.context


def test_notifications_page_lists_only_my_notifications_in_my_language(client, firm, firm_user, other_firm_user):
    reminder(firm_user, firm)
    reminder(other_firm_user, firm, days_left=30)
    client.force_login(firm_user)
    response = client.get(reverse("deadlines:notifications"), HTTP_ACCEPT_LANGUAGE="en")
    page = list(response.context["page"])
    assert [n.recipient_id for n in page] == [firm_user.pk]
    assert "the annual emission report for 2025 is due on 2026-03-31 (7 days left)" in response.content.decode()


def test_mark_read_is_a_post_of_ones_own_notification(client, firm, firm_user, other_firm_user):
    mine, theirs = reminder(firm_user, firm), reminder(other_firm_user, firm)
    client.force_login(firm_user)
    url = reverse("deadlines:notification_read", args=[mine.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("deadlines:calendar")
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(reverse("deadlines:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_mine(client, firm, firm_user, other_firm_user):
    reminder(firm_user, firm)
    reminder(firm_user, firm, days_left=1)
    theirs = reminder(other_firm_user, firm)
    client.force_login(firm_user)
    client.post(reverse("deadlines:notifications_read_all"))
    assert not Notification.objects.filter(recipient=firm_user, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("home")).context["unread_notifications_count"] == 0


def test_notifications_page_queries_do_not_grow(client, firm, firm_user, django_assert_max_num_queries):
    for days in range(30):
        reminder(firm_user, firm, days_left=days)
    client.force_login(firm_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("deadlines:notifications"))
    assert len(response.context["page"]) == 30


def test_notify_writes_one_row_per_person_and_one_outbox_message(firm_user, firm_approver):
    from mrv.models import OutboxMessage

    created = notify(
        [firm_user, firm_approver, firm_user],
        K.SPOT_CHECK_DRAWN,
        {"market_zh": "上海", "market_en": "Shanghai", "year": 2025},
    )
    assert len(created) == 2
    [message] = OutboxMessage.objects.filter(task_name="deadlines.send_notification_emails")
    assert sorted(message.kwargs["notification_ids"]) == sorted(n.pk for n in created)
