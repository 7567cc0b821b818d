"""Two people acting at once on the same report, on real concurrent PostgreSQL connections."""

import threading

import pytest
from django.db import connection, connections

from mrv.models import AuditLog, EmissionReport, Finding, VerificationOpinion
from mrv.services import review
from mrv.services import verification as svc
from mrv.transitions import CHANGED_BY_SOMEONE_ELSE, ChangedConcurrently
from tests.factories import certified
from tests.verification_world import *  # noqa: F403

R = EmissionReport.Status
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL; CI runs on it"),
]


def race(*actions):
    """Run each action in its own thread and connection; all start together. Returns results or exceptions."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            report = EmissionReport.objects.get()  # each loads the same state before anyone writes
            barrier.wait(timeout=10)
            results[index] = action(report)
        except Exception as exc:  # noqa: BLE001 - the loser's exception is the result under test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_sign_off_and_return_to_firm_at_once_one_wins_and_the_other_is_told_to_reload(
    under_verification, verifier, team_verifier, plan
):
    Finding.objects.create(report=under_verification, kind="improvement", description="x", raised_by=verifier)
    for _round in range(3):  # several races: the outcome must always be exactly one winner
        before = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
        opinions_before = VerificationOpinion.objects.count()
        results = race(
            lambda r: svc.report_sign_off(
                certification=certified("verifier_opinion"),
                report=r,
                outcome="with_comments",
                verified_emissions_tco2e=604500,
                acting_user=verifier,
            ),
            lambda r: svc.report_return_to_firm(report=r, acting_user=team_verifier, reason="请补充"),
        )
        losers = [x for x in results if isinstance(x, Exception)]
        assert len(losers) == 1, results
        assert isinstance(losers[0], ChangedConcurrently)
        assert losers[0].message == CHANGED_BY_SOMEONE_ELSE % {"object": EmissionReport._meta.verbose_name}
        report = EmissionReport.objects.get()
        signed = isinstance(results[0], VerificationOpinion)
        assert report.status == (R.VERIFIED if signed else R.RETURNED_TO_FIRM)
        # Nothing lost, nothing half-done: one audit row for the winner, an opinion only if signing won.
        moves = AuditLog.objects.for_object(report).filter(id__gt=before)
        assert [(m.from_state, m.to_state) for m in moves] == [(R.UNDER_VERIFICATION, report.status)]
        assert VerificationOpinion.objects.count() == opinions_before + (1 if signed else 0)
        # Reset for the next round (audit rows and signed opinions are append-only and stay).
        EmissionReport.objects.filter(pk=report.pk).update(status=R.UNDER_VERIFICATION)


def test_two_heads_approving_the_same_determination_at_once_approve_it_once(
    firm, body, verifier, regulator, regulator_head, shanghai_authority
):
    from mrv.models import Determination, User
    from tests.verification_world import person, verified_report

    report = verified_report(firm, 604500, body=body, lead=verifier, status=R.REGULATOR_REVIEW)
    review.determination_propose(report=report, acting_user=regulator)
    second_head = person(User.Role.REGULATOR_HEAD, authority=shanghai_authority)
    results = race(
        lambda r: review.determination_approve(report=r, acting_user=regulator_head),
        lambda r: review.determination_reject(report=r, reason="数据存疑", acting_user=second_head),
    )
    losers = [x for x in results if isinstance(x, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], ChangedConcurrently), results
    report.refresh_from_db()
    decision = Determination.objects.get().decision
    assert (report.status, decision) in {(R.DETERMINED, "approved"), (R.REGULATOR_REVIEW, "rejected")}
    assert AuditLog.objects.for_object(report).filter(from_state=R.DETERMINATION_PROPOSED).count() == 1
