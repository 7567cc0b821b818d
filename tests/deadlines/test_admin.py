from django.urls import reverse

from deadlines.models import DeadlineExtension, Reminder


def test_admin_lists_reminders_and_extensions_of_the_regulators_market_only(client, firm, beijing_firm, regulator):
    import datetime

    for f in (firm, beijing_firm):
        Reminder.objects.create(
            firm=f,
            year=2025,
            kind="annual_report",
            due_date=datetime.date(2026, 3, 31),
            offset_days=7,
            batch="00000000-0000-0000-0000-000000000001",
        )
        DeadlineExtension.objects.create(
            firm=f, year=2025, kind="annual_report", extra_days=3, reason="x", granted_by=regulator
        )
    client.force_login(regulator)
    # The extension is declared in mrv beside the deadline rules (its admin page too), the reminder in deadlines.
    for app, model in (("deadlines", "reminder"), ("mrv", "deadlineextension")):
        response = client.get(reverse(f"admin:{app}_{model}_changelist"))
        assert response.status_code == 200
        assert [o.firm for o in response.context["cl"].result_list] == [firm]
        other = (Reminder if model == "reminder" else DeadlineExtension).objects.get(firm=beijing_firm)
        assert client.get(reverse(f"admin:{app}_{model}_change", args=[other.pk])).status_code == 302


def test_extensions_cannot_be_added_in_the_admin_only_through_the_audited_page(client, regulator, national_admin):
    for user in (regulator, national_admin):
        client.force_login(user)
        assert client.get(reverse("admin:mrv_deadlineextension_add")).status_code == 403
