"""Publication is a decision: an officer proposes a frozen snapshot, another person (the head) publishes it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from disclosure import services
from disclosure.models import Publication
from mrv.models import AuditLog, EmissionReport
from mrv.transitions import TransitionRefused
from tests.disclosure.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_officer_proposes_and_head_publishes_with_audit_rows(world, shanghai, regulator, regulator_head):
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    assert proposal.status == Publication.Status.PROPOSED and proposal.version == 1
    services.publication_publish(publication=proposal, acting_user=regulator_head)
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.PUBLISHED
    assert proposal.published_by == regulator_head and proposal.published_at is not None
    rows = AuditLog.objects.filter(object_id=str(proposal.pk), action__startswith="disclosure.publication")
    assert {(r.action, r.actor_id, r.to_state) for r in rows} == {
        ("disclosure.publication.proposed", regulator.pk, "proposed"),
        ("disclosure.publication.published", regulator_head.pk, "published"),
    }


def test_the_proposer_cannot_publish_their_own_proposal(world, shanghai, regulator_head):
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator_head)
    with pytest.raises(PermissionDenied):
        services.publication_publish(publication=proposal, acting_user=regulator_head)
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.PROPOSED


def test_an_officer_cannot_publish(world, shanghai, regulator, regulator_head):
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator_head)
    with pytest.raises(PermissionDenied):
        services.publication_publish(publication=proposal, acting_user=regulator)


def test_another_markets_regulator_can_neither_propose_nor_publish(world, shanghai, regulator, other_regulator):
    with pytest.raises(PermissionDenied):
        services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=other_regulator)
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    with pytest.raises(PermissionDenied):
        services.publication_publish(publication=proposal, acting_user=other_regulator)


@pytest.mark.parametrize("persona", ["firm_user", "verifier", "outsider", "national_admin"])
def test_only_a_markets_regulator_may_propose(world, shanghai, persona, request):
    with pytest.raises(PermissionDenied):
        services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=request.getfixturevalue(persona))
    assert not Publication.objects.exists()


def test_a_second_proposal_waits_for_the_first_decision(world, shanghai, regulator):
    services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    with pytest.raises(TransitionRefused) as refused:
        services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    assert refused.value.code == "proposal_open"


def test_a_year_without_covered_firms_cannot_be_proposed(shanghai, regulator):
    with pytest.raises(TransitionRefused) as refused:
        services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    assert refused.value.code == "no_firms"


def test_rejecting_needs_a_reason_and_publishes_nothing(world, shanghai, regulator, regulator_head):
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    with pytest.raises(TransitionRefused):
        services.publication_reject(publication=proposal, reason=" ", acting_user=regulator_head)
    services.publication_reject(publication=proposal, reason="figures incomplete", acting_user=regulator_head)
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.REJECTED
    assert AuditLog.objects.filter(action="disclosure.publication.rejected", reason="figures incomplete").exists()
    assert Client().get(f"/public/shanghai/{YEAR}/").status_code == 404


def test_published_data_is_frozen_against_later_changes(published, world):
    EmissionReport.objects.filter(pk=world["report"].pk).update(determined_emissions_tco2e=Decimal(1))
    page = Client().get(f"/public/shanghai/{YEAR}/").content.decode()
    assert "604780" in page
    published.refresh_from_db()
    assert published.snapshot["firms"][0]["emissions_tco2e"] in ("604780", None)


def test_a_correction_needs_a_note_and_is_shown_with_its_date(
    published, world, shanghai, regulator, regulator_head, django_capture_on_commit_callbacks
):
    client = Client()
    assert "604780" in client.get(f"/public/shanghai/{YEAR}/").content.decode()  # now cached
    EmissionReport.objects.filter(pk=world["report"].pk).update(determined_emissions_tco2e=Decimal(600001))
    with pytest.raises(TransitionRefused) as refused:
        services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    assert refused.value.code == "note_required"
    correction = services.publication_propose(
        market=shanghai, year=YEAR, note="Determination corrected after review", acting_user=regulator
    )
    assert "600001" not in client.get(f"/public/shanghai/{YEAR}/").content.decode()  # unpublished: not shown
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.publication_publish(publication=correction, acting_user=regulator_head)
    assert len(callbacks) == 1  # the cached public pages of the market-year are cleared after commit
    correction.refresh_from_db()
    assert correction.version == 2 and correction.is_correction
    page = client.get(f"/public/shanghai/{YEAR}/").content.decode()
    assert "600001" in page and "604780" not in page
    assert "Correction (version 2) of" in page and "Determination corrected after review" in page
    assert timezone.localtime(correction.published_at).strftime("%Y-%m-%d") in page
    assert Publication.objects.filter(market=shanghai, year=YEAR, status="published").count() == 2
    api = client.get(f"/public/api/v1/markets/shanghai/{YEAR}/").json()
    assert api["version"] == 2 and api["corrections"][0]["note"] == "Determination corrected after review"


# --- The regulators' pages ---------------------------------------------------------------------


def test_regulator_reaches_publication_from_the_statistics_page(world, regulator):
    client = Client()
    client.force_login(regulator)
    assert "/public/manage/" in client.get("/registry/statistics/").content.decode()
    assert client.get("/public/manage/").status_code == 200


def test_publication_pages_four_eyes_through_the_browser(world, regulator, regulator_head):
    officer, head = Client(), Client()
    officer.force_login(regulator)
    head.force_login(regulator_head)
    response = officer.post("/public/manage/propose/", {"year": YEAR, "note": ""})
    proposal = Publication.objects.get()
    assert response.status_code == 302
    assert officer.get(f"/public/manage/{proposal.pk}/").status_code == 200
    assert "/publish/" not in officer.get("/public/manage/").content.decode()
    officer.post(f"/public/manage/{proposal.pk}/publish/")
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.PROPOSED
    assert f"/public/manage/{proposal.pk}/publish/" in head.get(f"/public/manage/?year={YEAR}").content.decode()
    head.post(f"/public/manage/{proposal.pk}/publish/")
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.PUBLISHED


def test_bad_year_on_the_proposal_form_is_a_message_not_an_error(world, regulator):
    client = Client()
    client.force_login(regulator)
    response = client.post("/public/manage/propose/", {"year": "abc"}, follow=True)
    assert response.status_code == 200
    assert not Publication.objects.exists()


def test_other_people_cannot_open_the_publication_pages(world, firm_user, other_regulator, regulator):
    proposal = services.publication_propose(market=world["firm"].market, year=YEAR, note="", acting_user=regulator)
    client = Client()
    assert client.get("/public/manage/").status_code == 302  # to the login
    client.force_login(firm_user)
    assert client.get("/public/manage/").status_code == 403
    assert client.get(f"/public/manage/{proposal.pk}/").status_code == 404
    client.force_login(other_regulator)
    assert client.get(f"/public/manage/{proposal.pk}/").status_code == 404
    client.post(f"/public/manage/{proposal.pk}/publish/")
    proposal.refresh_from_db()
    assert proposal.status == Publication.Status.PROPOSED


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("regulator", True),
        ("regulator_head", True),
        ("national_admin", True),
        ("other_regulator", False),
        ("firm_user", False),
        ("verifier", False),
        ("spot_checker", False),
        ("outsider", False),
    ],
)
def test_who_sees_a_proposal_before_it_is_public(world, shanghai, regulator, persona, sees, request):
    from mrv import access

    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    user = request.getfixturevalue(persona)
    assert access.can_view(user, proposal) is sees
    assert access.visible_to(user, Publication).filter(pk=proposal.pk).exists() is sees
