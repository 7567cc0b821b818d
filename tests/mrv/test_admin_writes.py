"""Admin writes are scoped, audited field by field (inlines included) and, for allocation inputs, held for a
head's approval; only a superuser grants staff or superuser rights."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from mrv.models import AuditLog, ConflictOfInterest, Firm, FirmYearFigure, PendingChange, User
from registry.models import ProductionRecord
from tests import factories as f

D = Decimal


class _FormValues(HTMLParser):
    """The values a browser would post from the page's main form (inputs, checked boxes, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in a:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_values(response) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def regulator_writable_forms(user) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request)
    }


def count_rows() -> dict:
    return {m: m.objects.count() for m in (Firm, ConflictOfInterest, ProductionRecord, PendingChange, AuditLog)}


# --- scoped choices --------------------------------------------------------------------------------


def test_the_regulator_writable_admin_forms_are_the_ones_tested_here(db, regulator):
    assert regulator_writable_forms(regulator) == {"mrv.firm", "mrv.conflictofinterest", "registry.productionrecord"}


@pytest.mark.parametrize(
    "form, payload",
    [
        ("mrv_firm", lambda w: {"name": "跨市场", "credit_code": f.credit_code(), "market": w["beijing"].pk}),
        ("mrv_conflictofinterest", lambda w: {"firm": w["beijing_firm"].pk, "body": w["body"].pk, "description": "x"}),
        ("registry_productionrecord", lambda w: {"firm": w["beijing_firm"].pk, "year": 2025, "output": "10"}),
    ],
)
def test_regulator_posting_another_markets_ids_to_an_admin_form_gets_a_form_error_and_no_row(
    client, regulator, firm, beijing, beijing_firm, body, form, payload
):
    client.force_login(regulator)
    url = reverse(f"admin:{form}_add")
    data = form_values(client.get(url))
    world = {"beijing": beijing, "beijing_firm": beijing_firm, "body": body}
    data |= {k: str(v) for k, v in payload(world).items()} | {"audit_reason": "测试", "sector": firm.sector_id}
    before = count_rows()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert count_rows() == before


def test_regulator_sees_only_own_market_firms_as_choices(client, regulator, firm, other_firm, beijing_firm):
    client.force_login(regulator)
    page = client.get(reverse("admin:mrv_conflictofinterest_add"))
    field = page.context["adminform"].form.fields["firm"]
    assert set(field.queryset) == {firm, other_firm}


def test_national_admin_may_choose_any_market(client, national_admin, firm, beijing_firm):
    client.force_login(national_admin)
    page = client.get(reverse("admin:mrv_conflictofinterest_add"))
    assert {firm, beijing_firm} <= set(page.context["adminform"].form.fields["firm"].queryset)


# --- rights only a superuser grants ------------------------------------------------------------------


def test_national_admin_cannot_grant_superuser_or_staff_rights(client, national_admin, firm_user):
    client.force_login(national_admin)
    url = reverse("admin:mrv_user_change", args=[firm_user.pk])
    data = form_values(client.get(url)) | {"is_superuser": "on", "is_staff": "on"}
    client.post(url, data)
    firm_user.refresh_from_db()
    assert not firm_user.is_superuser and not firm_user.is_staff


def test_a_superuser_grants_staff_rights(client, firm_user):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True, role=User.Role.NATIONAL_ADMIN)
    client.force_login(root)
    url = reverse("admin:mrv_user_change", args=[firm_user.pk])
    data = form_values(client.get(url)) | {"is_staff": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    firm_user.refresh_from_db()
    assert firm_user.is_staff


# --- inline edits are audited, allocation inputs need a head ---------------------------------------------


def _figure_post(client, firm, figure, amount):
    url = reverse("admin:mrv_firm_change", args=[firm.pk])
    data = form_values(client.get(url))
    index = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.startswith("year_figures-") and k.endswith("-id") and v == str(figure.pk)
    )
    data[f"year_figures-{index}-emissions_tco2e"] = amount
    data["audit_reason"] = "核定更正"
    return client.post(url, data)


def test_an_inline_edit_of_historical_emissions_records_its_field_changes(client, national_admin, firm):
    figure = FirmYearFigure.objects.create(firm=firm, year=2023, emissions_tco2e=D("612000"))
    client.force_login(national_admin)
    response = _figure_post(client, firm, figure, "999999")
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.emissions_tco2e == D("999999")
    row = AuditLog.objects.filter(action="mrv.firm.changed").latest("pk")
    assert row.changes == {f"firmyearfigure[{figure.pk}].emissions_tco2e": ["612000.00", "999999"]}
    assert row.reason == "核定更正"


def test_an_officers_edit_of_historical_emissions_waits_for_a_heads_approval(client, regulator, regulator_head, firm):
    figure = FirmYearFigure.objects.create(firm=firm, year=2023, emissions_tco2e=D("612000"))
    client.force_login(regulator)
    _figure_post(client, firm, figure, "999999")
    figure.refresh_from_db()
    assert figure.emissions_tco2e == D("612000")
    change = PendingChange.objects.get()
    assert change.values == {"emissions_tco2e": "999999.00"} or change.values == {"emissions_tco2e": "999999"}
    assert change.proposed_by == regulator and change.status == PendingChange.Status.PENDING

    action = {"action": "approve", "_selected_action": [change.pk]}
    client.post(reverse("admin:mrv_pendingchange_changelist"), action)  # the officer has no approve action
    figure.refresh_from_db()
    assert figure.emissions_tco2e == D("612000")

    client.force_login(regulator_head)
    client.post(reverse("admin:mrv_pendingchange_changelist"), action)
    figure.refresh_from_db()
    change.refresh_from_db()
    assert figure.emissions_tco2e == D("999999")
    assert change.status == PendingChange.Status.APPROVED and change.decided_by == regulator_head
    applied = AuditLog.objects.filter(action="mrv.firmyearfigure.changed", object_id=str(figure.pk)).get()
    assert applied.actor == regulator_head
    assert applied.changes["emissions_tco2e"][0].startswith("612000")


def test_a_head_cannot_approve_their_own_change(regulator_head, firm):
    from django.core.exceptions import PermissionDenied

    from mrv.services import pending_changes

    record = ProductionRecord(firm=firm, year=2025, output=D("10"))
    change = pending_changes.pending_change_propose(
        instance=record, fields=["firm", "year", "output"], reason="x", acting_user=regulator_head
    )
    with pytest.raises(PermissionDenied):
        pending_changes.pending_change_approve(change=change, acting_user=regulator_head)
    assert not ProductionRecord.objects.exists()


def test_another_markets_head_cannot_approve(firm, regulator, beijing_authority):
    from django.core.exceptions import PermissionDenied

    from mrv.services import pending_changes

    other_head = f.UserFactory(role=User.Role.REGULATOR_HEAD, authority=beijing_authority, is_staff=True)
    change = pending_changes.pending_change_propose(
        instance=ProductionRecord(firm=firm, year=2025, output=D("10")),
        fields=["firm", "year", "output"],
        reason="x",
        acting_user=regulator,
    )
    with pytest.raises(PermissionDenied):
        pending_changes.pending_change_approve(change=change, acting_user=other_head)


def test_an_officers_new_production_record_is_held_then_created_on_approval(client, regulator, regulator_head, firm):
    client.force_login(regulator)
    url = reverse("admin:registry_productionrecord_add")
    data = form_values(client.get(url)) | {
        "firm": str(firm.pk),
        "year": "2025",
        "output": "1234.5",
        "is_verified": "on",
        "audit_reason": "核查报告",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("admin:mrv_pendingchange_changelist")
    assert not ProductionRecord.objects.exists()
    change = PendingChange.objects.get()
    client.force_login(regulator_head)
    client.post(reverse("admin:mrv_pendingchange_changelist"), {"action": "approve", "_selected_action": [change.pk]})
    record = ProductionRecord.objects.get()
    assert (record.firm, record.year, record.output, record.is_verified) == (firm, 2025, D("1234.5"), True)
    assert AuditLog.objects.filter(action="registry.productionrecord.created", actor=regulator_head).exists()


def test_a_heads_own_production_record_takes_effect_at_once(client, regulator_head, firm):
    client.force_login(regulator_head)
    url = reverse("admin:registry_productionrecord_add")
    data = form_values(client.get(url)) | {"firm": str(firm.pk), "year": "2025", "output": "1", "audit_reason": "x"}
    client.post(url, data)
    assert ProductionRecord.objects.filter(firm=firm).exists()
    assert not PendingChange.objects.exists()


def test_a_new_users_password_never_reaches_the_audit_trail(client, db):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True, role=User.Role.NATIONAL_ADMIN)
    client.force_login(root)
    url = reverse("admin:mrv_user_add")
    secret = "Zq8-never-logged-771"
    data = form_values(client.get(url)) | {"username": "newcomer", "password1": secret, "password2": secret}
    data["usable_password"] = "true"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = AuditLog.objects.get(action="mrv.user.created")
    assert secret not in str(row.changes)
    assert row.changes["password1"] == ["***", "***"]


def test_regulator_cannot_move_a_conflict_of_interest_to_another_markets_firm(
    client, regulator, firm, beijing_firm, body
):
    conflict = ConflictOfInterest.objects.create(firm=firm, body=body, description="顾问")
    client.force_login(regulator)
    url = reverse("admin:mrv_conflictofinterest_change", args=[conflict.pk])
    data = form_values(client.get(url)) | {"firm": str(beijing_firm.pk), "audit_reason": "x"}
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.firm == firm


def test_regulator_cannot_move_a_firm_to_another_market(client, regulator, firm, beijing):
    client.force_login(regulator)
    url = reverse("admin:mrv_firm_change", args=[firm.pk])
    data = form_values(client.get(url)) | {"market": str(beijing.pk), "audit_reason": "x"}
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    firm.refresh_from_db()
    assert firm.market.code == "shanghai"
