"""One gate: `mrv.transitions` alone says whether a transition may run for a user now, and pages ask it."""

from pathlib import Path

import pytest
from django.urls import reverse

from mrv.models import EmissionReport
from mrv.services import review
from mrv.transitions import refusal, transitions_for
from tests.verification_world import *  # noqa: F403
from tests.verification_world import person, verified_report

R = EmissionReport.Status
VIEWS = Path(__file__).resolve().parents[2] / "mrv" / "ui" / "views"


@pytest.fixture
def in_review(firm, body, verifier):
    return verified_report(firm, 604500, body=body, lead=verifier, status=R.REGULATOR_REVIEW)


def test_no_view_restates_who_may_do_what():
    offenders = [p.name for p in VIEWS.glob("*.py") if "may_" in p.read_text()]
    assert offenders == []


def test_every_button_the_gate_offers_passes_the_same_gate_when_run(in_review, regulator, regulator_head, verifier):
    for user in (regulator, regulator_head, verifier):
        for name in transitions_for(in_review, user):
            assert refusal(in_review, name, user, conditions=False) is None


def test_four_eyes_the_proposer_gets_no_approve_button_another_head_does(client, in_review, regulator_head):
    review.determination_propose(report=in_review, acting_user=regulator_head)
    in_review.refresh_from_db()
    other_head = person("regulator_head", authority=regulator_head.authority)
    assert "approve_determination" not in transitions_for(in_review, regulator_head)
    assert "approve_determination" in transitions_for(in_review, other_head)
    client.force_login(regulator_head)
    page = client.get(reverse("ui:report_review", args=[in_review.pk]))
    assert page.context["is_proposer"] and "approve_determination" not in page.context["can"]


def test_the_review_page_offers_the_regulator_what_the_gate_allows(client, in_review, regulator):
    client.force_login(regulator)
    page = client.get(reverse("ui:report_review", args=[in_review.pk]))
    assert {"return_to_verifier", "regulator_return_to_firm", "propose_determination"} <= page.context["can"]
    assert "approve_determination" not in page.context["can"]  # a case officer proposes, a head decides
