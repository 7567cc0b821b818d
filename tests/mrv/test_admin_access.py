"""Regulators work in the admin on their own market only."""

import pytest
from django.urls import reverse

from mrv.models import AuditLog, Firm


@pytest.fixture
def as_shanghai(client, regulator):
    client.force_login(regulator)
    return client


def test_shanghai_regulator_lists_only_shanghai_firms(as_shanghai, firm, beijing_firm):
    page = as_shanghai.get(reverse("admin:mrv_firm_changelist"))
    assert page.status_code == 200
    assert firm.name in page.content.decode()
    assert beijing_firm.name not in page.content.decode()


def test_shanghai_regulator_cannot_open_a_beijing_firm(as_shanghai, beijing_firm):
    page = as_shanghai.get(reverse("admin:mrv_firm_change", args=[beijing_firm.pk]))
    assert page.status_code == 302  # the admin redirects to its index for objects one may not see
    assert beijing_firm.name not in as_shanghai.get(page["Location"], follow=True).content.decode()


def test_shanghai_regulator_cannot_change_a_beijing_firm(as_shanghai, beijing_firm):
    url = reverse("admin:mrv_firm_change", args=[beijing_firm.pk])
    as_shanghai.post(url, {"name": "改名", "audit_reason": "x"})
    beijing_firm.refresh_from_db()
    assert beijing_firm.name == "北京测试水泥有限公司"
    assert not AuditLog.objects.filter(object_id=str(beijing_firm.pk), action="mrv.firm.changed").exists()


def test_search_by_credit_code(as_shanghai, firm, other_firm):
    page = as_shanghai.get(reverse("admin:mrv_firm_changelist"), {"q": firm.credit_code})
    content = page.content.decode()
    assert firm.name in content and other_firm.name not in content


def test_admin_edit_of_a_firm_is_audited_with_reason(as_shanghai, firm, regulator):
    url = reverse("admin:mrv_firm_change", args=[firm.pk])
    data = {
        "name": firm.name,
        "credit_code": firm.credit_code,
        "market": firm.market_id,
        "sector": firm.sector_id,
        "address": "上海市浦东新区",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "is_active": "on",
        "audit_reason": "地址变更（营业执照）",
        "sources-TOTAL_FORMS": 0,
        "sources-INITIAL_FORMS": 0,
        "year_figures-TOTAL_FORMS": 0,
        "year_figures-INITIAL_FORMS": 0,
    }
    response = as_shanghai.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AuditLog.objects.get(action="mrv.firm.changed", object_id=str(firm.pk))
    assert row.actor == regulator and row.reason == "地址变更（营业执照）"
    assert row.changes == {"address": ["", "上海市浦东新区"]}
    assert row.market_id == firm.market_id


def test_audit_rows_cannot_be_changed_or_deleted_in_the_admin(client, national_admin, firm):
    from mrv.audit import log_action

    log_action(firm, "mrv.firm.changed", actor=national_admin, changes={"address": ("", "x")}, reason="test")
    row = AuditLog.objects.get()
    client.force_login(national_admin)
    change = client.post(reverse("admin:mrv_auditlog_change", args=[row.pk]), {"reason": "forged"})
    delete = client.post(reverse("admin:mrv_auditlog_delete", args=[row.pk]), {"post": "yes"})
    assert change.status_code == 403 and delete.status_code == 403
    row.refresh_from_db()
    assert row.reason == "test"


def test_regulator_reads_the_history_of_an_object_of_their_market(as_shanghai, firm, regulator):
    from mrv.audit import log_action

    log_action(firm, "mrv.firm.changed", actor=regulator, changes={"contact_name": ("", "李四")}, reason="更正联系人")
    page = as_shanghai.get(reverse("admin:mrv_firm_history", args=[firm.pk]))
    assert page.status_code == 200 and "更正联系人" in page.content.decode()


def test_firm_users_and_verifiers_cannot_use_the_admin(client, firm_user, verifier):
    for user in (firm_user, verifier):
        user.is_staff = True
        user.save()
        client.force_login(user)
        assert client.get(reverse("admin:mrv_firm_changelist")).status_code in (302, 403)


def test_national_admin_sees_every_market(client, national_admin, firm, beijing_firm):
    client.force_login(national_admin)
    content = client.get(reverse("admin:mrv_firm_changelist")).content.decode()
    assert firm.name in content and beijing_firm.name in content
    assert Firm.objects.count() == 2


def test_rule_packs_are_editable_by_the_national_administrator_only(client, regulator, national_admin, shanghai):
    from mrv.models import RulePack

    pack = shanghai.rule_pack_for(2025)
    url = reverse("admin:mrv_rulepack_change", args=[pack.pk])
    client.force_login(regulator)
    page = client.get(url)
    assert page.status_code == 200 and 'name="offset_cap_pct"' not in page.content.decode()  # read-only view
    client.force_login(national_admin)
    page = client.get(url)
    assert 'name="offset_cap_pct"' in page.content.decode()
    assert RulePack.objects.get(pk=pack.pk).offset_cap_pct == pack.offset_cap_pct


def test_a_regulator_sees_only_their_own_markets_rule_pack(client, regulator, beijing):
    client.force_login(regulator)
    other = beijing.rule_pack_for(2025)
    assert client.get(reverse("admin:mrv_rulepack_change", args=[other.pk])).status_code == 302
