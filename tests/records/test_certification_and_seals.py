"""Certification at signing, the sealed copy of record, its check on every showing, and repudiation.

Real PostgreSQL under the application role: a byte changed in a stored version, opinion or determination by
the owner (past the guards) is reported as ALTERED on its page and by the chain check.
"""

import datetime
import hashlib
import json

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from deadlines.models import Notification
from deadlines.workflow_notices import repudiation_notify
from mrv.models import (
    AuditLog,
    ChainVerification,
    Determination,
    OutboxMessage,
    ReportVersion,
    Repudiation,
    Seal,
    VerificationOpinion,
)
from mrv.records import certification as cert
from mrv.records.canonical import canonical_text
from mrv.records.seals import seal_record
from mrv.refusals import Refused
from mrv.security.chains import verify_chains
from mrv.services import records as records_svc
from mrv.services import reports as svc
from mrv.services import verification
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly
from tests.mrv.reporting import report as new_report
from tests.security.test_append_only import APP_ROLE, _sql, as_app_role, owner_edits
from tests.verification_world import *  # noqa: F403  (accepted, under_verification, plan)

YEAR = range(1, 13)


@pytest.fixture
def draft(firm, firm_approver):
    approved_plan(firm, [COAL, ELECTRICITY])
    draft = new_report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "100000", "unit": "MWh"}], acting_user=firm_approver
    )
    rows = monthly("coal", YEAR, activity="1000", ncv="20.908") + monthly("power", YEAR, activity="100")
    checked = svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver)
    for warning in checked.warnings:
        svc.report_acknowledge_warning(report=draft, key=warning.key, reason="已核实", acting_user=firm_approver)
    return draft


def _nothing_recorded(draft):
    draft.refresh_from_db()
    return draft.status == "draft" and not ReportVersion.objects.exists() and not Seal.objects.exists()


# --- Certification -------------------------------------------------------------------------------------------


def test_a_submission_without_the_certification_is_refused_and_records_nothing(draft, firm_approver):
    with pytest.raises(cert.NotCertified) as refused:
        svc.report_submit(report=draft, acting_user=firm_approver)
    assert refused.value.code == "not_certified"
    assert _nothing_recorded(draft)


def test_a_certification_without_a_fresh_re_authentication_is_refused(draft, firm_approver):
    stale = timezone.now() - datetime.timedelta(minutes=settings.STEP_UP_MINUTES + 1)
    for given in (
        cert.certification_given(cert.FIRM_SUBMISSION, reauthenticated_at=stale),
        cert.certification_given(cert.FIRM_SUBMISSION, reauthenticated_at=None),
    ):
        with pytest.raises(cert.NotCertified) as refused:
            svc.report_submit(report=draft, acting_user=firm_approver, certification=given)
        assert refused.value.code == "not_reauthenticated"
    assert _nothing_recorded(draft)


def test_another_statement_or_an_edited_wording_is_refused(draft, firm_approver):
    now = timezone.now()
    opinion_statement = cert.certification_given(cert.VERIFIER_OPINION, reauthenticated_at=now)
    edited = cert.Certification(cert.FIRM_SUBMISSION, "2026.1", "en", "I certify nothing.", now)
    old = cert.Certification(cert.FIRM_SUBMISSION, "2020.0", "en", cert.statement_text(cert.FIRM_SUBMISSION, "en"), now)
    for given in (opinion_statement, edited, old):
        with pytest.raises(cert.NotCertified):
            svc.report_submit(report=draft, acting_user=firm_approver, certification=given)
    assert _nothing_recorded(draft)


def test_the_submission_is_sealed_with_the_statement_in_the_signers_language(draft, firm_approver):
    given = cert.certification_given(cert.FIRM_SUBMISSION, reauthenticated_at=timezone.now(), language="zh-hans")
    version = svc.report_submit(report=draft, acting_user=firm_approver, certification=given)
    seal = Seal.objects.get(kind=Seal.Kind.REPORT_VERSION, object_id=version.pk)
    assert (seal.signed_by, seal.firm_id, seal.report_id, seal.year) == (
        firm_approver,
        draft.firm_id,
        draft.pk,
        draft.year,
    )
    assert seal.statement == "firm_submission" and seal.statement_version == "2026.1"
    assert seal.statement_language == "zh-hans" and "本人" in seal.statement_text
    assert seal.digest == hashlib.sha256(seal.canonical.encode()).hexdigest()
    content = json.loads(seal.canonical)
    assert canonical_text(content) == seal.canonical  # already canonical: RFC 8785 is a fixed point
    assert content["record"]["reported_tco2e"] == str(version.reported_tco2e)
    assert content["record"]["data"] == version.data
    assert content["as_at"]["firm"]["name"] == draft.firm.name


def test_the_opinion_needs_the_lead_verifiers_certification(under_verification, verifier, plan):
    sign = {"report": under_verification, "outcome": "satisfactory", "verified_emissions_tco2e": 604500}
    with pytest.raises(cert.NotCertified):
        verification.report_sign_off(**sign, acting_user=verifier)
    assert not VerificationOpinion.objects.exists()
    opinion = verification.report_sign_off(**sign, acting_user=verifier, certification=certified("verifier_opinion"))
    seal = Seal.objects.get(kind=Seal.Kind.OPINION, object_id=opinion.pk)
    assert seal.statement == "verifier_opinion" and seal.signed_by == verifier


def test_the_submit_page_asks_for_the_certification(client, draft, firm_approver):
    client.force_login(firm_approver)
    url = reverse("ui:report_submit", args=[draft.pk])
    page = client.get(reverse("ui:report_data", args=[draft.pk])).content.decode()
    assert 'name="certify"' in page and escape(cert.statement_text(cert.FIRM_SUBMISSION, "en")) in page
    response = client.post(url, {"reason": "年度报告"}, follow=True)
    assert "Confirm the certification statement" in response.content.decode()
    assert _nothing_recorded(draft)
    client.post(url, {"reason": "年度报告", "certify": "on"})
    seal = Seal.objects.get(kind=Seal.Kind.REPORT_VERSION)
    assert seal.statement_text == cert.statement_text(cert.FIRM_SUBMISSION, "en")
    assert seal.reauthenticated_at is not None


def test_the_submit_page_sends_a_stale_session_to_the_step_up_first(client, draft, firm_approver):
    client.force_login(firm_approver)
    session = client.session
    session["signin_fresh_at"] = 0
    session.save()
    response = client.post(reverse("ui:report_submit", args=[draft.pk]), {"certify": "on"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin:step_up"))
    assert _nothing_recorded(draft)


# --- Checked every time it is shown ------------------------------------------------------------------------


@pytest.fixture
def sealed_version(draft, firm_approver):
    return svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())


def _page(client, user, seal):
    client.force_login(user)
    return client.get(reverse("ui:seal_detail", args=[seal.pk])).content.decode()


def test_an_untouched_version_shows_sealed_intact(client, sealed_version, firm_approver, regulator):
    seal = Seal.objects.get(kind=Seal.Kind.REPORT_VERSION)
    page = _page(client, regulator, seal)
    assert 'data-seal="intact"' in page and seal.digest in page
    detail = client.get(reverse("ui:report_detail", args=[sealed_version.report_id])).content.decode()
    assert reverse("ui:seal_detail", args=[seal.pk]) in detail and reverse("ui:seal_pdf", args=[seal.pk]) in detail


def _altered(client, user, seal, table, chain_label):
    page = _page(client, user, seal)
    assert 'data-seal="altered"' in page and "ALTERED" in page
    assert "the record no longer matches the sealed copy" in page
    _sql(f"SET LOCAL ROLE {APP_ROLE}")
    run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
    broken = {c["table"]: c["broken"] for c in run.chains if c["broken"]}
    assert broken[chain_label]["reason"] == "hash"


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE mrv_reportversion SET reported_tco2e = reported_tco2e + 1 WHERE id = %s",
        # one character of the frozen data: the first month's coal becomes 1001 t
        "UPDATE mrv_reportversion SET data = replace(data::text, '\"1000\"', '\"1001\"')::jsonb WHERE id = %s",
    ],
)
def test_a_byte_changed_in_a_stored_version_is_altered_on_its_page_and_in_the_chain(
    client, sealed_version, regulator, edit
):
    seal = Seal.objects.get(kind=Seal.Kind.REPORT_VERSION)
    as_app_role()
    owner_edits(edit, [sealed_version.pk])
    _altered(client, regulator, seal, "mrv_reportversion", "mrv.ReportVersion")
    report_page = client.get(reverse("ui:report_detail", args=[sealed_version.report_id])).content.decode()
    assert "ALTERED" in report_page


def test_a_changed_opinion_is_altered(client, under_verification, verifier, plan, regulator):
    opinion = verification.report_sign_off(
        report=under_verification,
        outcome="satisfactory",
        verified_emissions_tco2e=604500,
        acting_user=verifier,
        certification=certified("verifier_opinion"),
    )
    seal = Seal.objects.get(kind=Seal.Kind.OPINION)
    as_app_role()
    assert 'data-seal="intact"' in _page(client, regulator, seal)
    owner_edits("UPDATE mrv_verificationopinion SET comments = comments || ' ' WHERE id = %s", [opinion.pk])
    _altered(client, regulator, seal, "mrv_verificationopinion", "mrv.VerificationOpinion")
    verification_page = client.get(reverse("ui:report_verification", args=[under_verification.pk])).content.decode()
    assert "ALTERED" in verification_page


def test_a_changed_determination_is_altered(client, firm, firm_approver, regulator, regulator_head):
    draft_report = f.ReportFactory(firm=firm, year=2025)
    proposal = Determination.objects.create(
        report=draft_report,
        basis="verified_figure",
        emissions_tco2e=100,
        from_state="verified",
        proposed_by=regulator,
    )
    Determination.objects.filter(pk=proposal.pk).update(
        decision="approved", decided_by=regulator_head, decided_at=timezone.now()
    )
    seal = seal_record(Seal.Kind.DETERMINATION, proposal, signer=regulator_head)
    as_app_role()
    assert 'data-seal="intact"' in _page(client, regulator, seal)
    owner_edits("UPDATE mrv_determination SET emissions_tco2e = 101 WHERE id = %s", [proposal.pk])
    _altered(client, regulator, seal, "mrv_determination", "mrv.Determination")
    assert "ALTERED" in client.get(reverse("ui:report_review", args=[draft_report.pk])).content.decode()


def test_a_rewritten_seal_is_altered_and_breaks_the_seal_chain(client, sealed_version, regulator):
    seal = Seal.objects.get(kind=Seal.Kind.REPORT_VERSION)
    as_app_role()
    owner_edits(
        "UPDATE mrv_seal SET canonical = replace(canonical, '\"number\":1', '\"number\":2') WHERE id = %s", [seal.pk]
    )
    assert "the stored copy no longer matches its digest" in _page(client, regulator, seal)
    _sql(f"SET LOCAL ROLE {APP_ROLE}")
    run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
    assert any(c["table"] == "mrv.Seal" and c["broken"] for c in run.chains)


def test_the_application_role_cannot_change_or_delete_a_seal(sealed_version):
    seal = Seal.objects.get()
    as_app_role()
    for statement in (
        f"UPDATE mrv_seal SET digest = 'x' WHERE id = {seal.pk}",
        f"DELETE FROM mrv_seal WHERE id = {seal.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


# --- Download, access -------------------------------------------------------------------------------------------


def test_the_copy_of_record_downloads_in_readable_form(client, sealed_version, firm_approver):
    seal = Seal.objects.get()
    client.force_login(firm_approver)
    response = client.get(reverse("ui:seal_download", args=[seal.pk]))
    text = response.content.decode()
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    assert seal.digest in text and "sealed, intact" in text and seal.canonical in text
    assert '\n  "as_at": {' in text  # indented for people


@pytest.mark.parametrize("name", ["ui:seal_detail", "ui:seal_download", "ui:seal_pdf"])
def test_another_tenant_gets_404(client, sealed_version, other_firm_user, other_regulator, other_verifier, name):
    seal = Seal.objects.get()
    for user in (other_firm_user, other_regulator, other_verifier):
        client.force_login(user)
        assert client.get(reverse(name, args=[seal.pk])).status_code == 404
        assert client.post(reverse("ui:seal_repudiate", args=[seal.pk]), {"reason": "x"}).status_code == 404
    assert not Repudiation.objects.exists()


# --- Repudiation ---------------------------------------------------------------------------------------------


def test_the_firm_repudiates_a_submission_and_the_regulator_is_told(
    client, sealed_version, firm_approver, regulator, regulator_head
):
    seal = Seal.objects.get()
    client.force_login(firm_approver)
    assert "Repudiate this submission" in _page(client, firm_approver, seal)
    client.post(reverse("ui:seal_repudiate", args=[seal.pk]), {"reason": "我司未提交该版本"})
    repudiation = Repudiation.objects.get(seal=seal)
    assert (repudiation.repudiated_by, repudiation.reason) == (firm_approver, "我司未提交该版本")
    assert AuditLog.objects.filter(action="mrv.seal.repudiated", actor=firm_approver).exists()
    message = OutboxMessage.objects.get(task_name="deadlines.notify_repudiation")
    assert repudiation_notify(message_id=message.pk, repudiation_id=repudiation.pk) == 2
    assert repudiation_notify(message_id=message.pk, repudiation_id=repudiation.pk) == 0  # told once
    told = Notification.objects.filter(kind="submission_repudiated")
    assert {n.recipient for n in told} == {regulator, regulator_head}
    assert "says it did not make the submission" in str(told[0])
    assert "repudiated this submission" in _page(client, regulator, seal)


def test_only_the_firms_approver_repudiates_with_a_reason(sealed_version, firm_user, regulator, firm_approver):
    seal = Seal.objects.get()
    for user, reason in ((firm_user, "x"), (regulator, "x"), (firm_approver, "  ")):
        with pytest.raises(Refused):
            records_svc.seal_repudiate(seal=seal, reason=reason, acting_user=user)
    records_svc.seal_repudiate(seal=seal, reason="not us", acting_user=firm_approver)
    with pytest.raises(Refused) as again:
        records_svc.seal_repudiate(seal=seal, reason="not us", acting_user=firm_approver)
    assert again.value.message == records_svc.ALREADY_REPUDIATED
