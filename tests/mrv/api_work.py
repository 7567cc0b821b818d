"""Helpers of the verifier's, spot checker's and regulator's API tests: token clients and a year's summary."""

import uuid

from rest_framework.test import APIClient

from mrv.models import AuditLog, EmissionReport, VerificationEngagement
from signin.mfa import recovery_codes_issue
from signin.tokens import token_create


class KeyedClient(APIClient):
    """A client system as the conventions expect it: a new Idempotency-Key with every change it means."""

    def post(self, path, data=None, format="json", **extra):
        extra.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
        return super().post(path, data, format=format, **extra)


def api(user, scope: str = "write") -> APIClient:
    client = KeyedClient()
    _token, key = token_create(user=user, name="test", scope=scope, days=30, acting_user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    return response.json()


def second_factor(user) -> list[str]:
    """Recovery codes of the user's (new) second factor: each is good once."""
    return recovery_codes_issue(user)


def _trail(obj) -> list[tuple]:
    rows = AuditLog.objects.for_object(obj).order_by("id").select_related("actor")
    return [(r.action, r.from_state, r.to_state, r.actor.role if r.actor else None, r.reason) for r in rows]


def year_summary(report: EmissionReport) -> dict:
    """What a year leaves behind, without ids or times: states, figures, findings, opinion, decision, trail."""
    report.refresh_from_db()
    engagement = VerificationEngagement.objects.get(firm_id=report.firm_id, year=report.year)
    plan = engagement.plan
    return {
        "report": (report.status, report.reported_emissions_tco2e, report.determined_emissions_tco2e),
        "engagement": (
            engagement.status,
            engagement.lead_verifier.role,
            sorted(u.role for u in engagement.team.all()),
            engagement.body_id,
        ),
        "plan": (
            plan.document_review,
            plan.site_visit_dates,
            plan.sampling,
            sorted(u.role for u in plan.site_team.all()),
        ),
        "findings": [
            (
                x.kind,
                x.line_key,
                x.description,
                x.amount_tco2e,
                x.status,
                x.resolution,
                [a.text for a in x.answers.all()],
            )
            for x in report.findings.order_by("pk")
        ],
        "opinions": [
            (o.outcome, o.verified_emissions_tco2e, o.difference_tco2e, o.uncorrected_misstatement_tco2e, o.comments)
            for o in report.opinions.order_by("pk")
        ],
        "determinations": [
            (d.basis, d.emissions_tco2e, d.decision, d.proposed_by.role, d.decided_by.role if d.decided_by else None)
            for d in report.determinations.order_by("pk")
        ],
        "spot_checks": [
            (i.outcome, i.discrepancies, i.checked_by.role if i.checked_by else None)
            for i in report.spot_check_items.order_by("pk")
        ],
        "report_trail": _trail(report),
        "engagement_trail": _trail(engagement),
    }
