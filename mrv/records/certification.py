"""The certification statements a signer confirms, and the check that one was confirmed just now.

A submission (firm approver) and an opinion (lead verifier) are legal statements. The signer ticks the
statement in their language and re-authenticates (the step-up of the signin app) before the service records
anything; the statement's key, version, language and exact text are kept on the seal. A statement's text is
never edited in place: a new wording gets a new version, so a seal always says which wording was confirmed.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mrv.refusals import Refused

FIRM_SUBMISSION = "firm_submission"
VERIFIER_OPINION = "verifier_opinion"

STATEMENTS = {
    FIRM_SUBMISSION: (
        "2026.1",
        _(
            "I certify, as the firm's authorised approver, that I have examined this emission report and that, "
            "to the best of my knowledge, it is true, accurate and complete, prepared under the approved "
            "monitoring plan. I am aware that false or incomplete statements are subject to penalties."
        ),
    ),
    VERIFIER_OPINION: (
        "2026.1",
        _(
            "I certify, as the lead verifier, that this opinion was reached by the verification team under the "
            "verification plan with the materiality stated, that it is our independent professional judgement, "
            "and that no conflict of interest affects it."
        ),
    ),
}

NOT_CERTIFIED = _("Confirm the certification statement before signing: nothing was recorded.")
NOT_REAUTHENTICATED = _(
    "Confirm it is you (second factor) within the last %(minutes)s minutes before signing: nothing was recorded."
)
WRONG_STATEMENT = _("The certification statement confirmed is not the current one; reload the page and confirm again.")


class NotCertified(Refused):
    """A signing without the signer's confirmation of the current statement (or of another version of it)."""

    default_code = "not_certified"


@dataclass(frozen=True)
class Certification:
    statement: str
    version: str
    language: str
    text: str
    reauthenticated_at: datetime.datetime | None


def statement_text(statement: str, language: str | None = None) -> str:
    with translation.override(language or translation.get_language() or "zh-hans"):
        return str(STATEMENTS[statement][1])


def certification_given(statement: str, *, reauthenticated_at, language: str | None = None) -> Certification:
    """What the signer confirmed: the current wording of `statement` in their language."""
    language = language or translation.get_language() or "zh-hans"
    return Certification(
        statement=statement,
        version=STATEMENTS[statement][0],
        language=language,
        text=statement_text(statement, language),
        reauthenticated_at=reauthenticated_at,
    )


def demo_certification(statement: str) -> Certification:
    """The demo's signers confirm the statement as if they had just re-authenticated (seed data only)."""
    return certification_given(statement, reauthenticated_at=timezone.now())


def certification_from_session(request, statement: str) -> Certification | None:
    """The certification of a signing POST: None unless the box `certify` is ticked."""
    from signin.mfa import FRESH_AT

    if request.POST.get("certify") not in ("on", "1", "true", "yes"):
        return None
    stamp = request.session.get(FRESH_AT)
    when = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC) if stamp else None
    return certification_given(statement, reauthenticated_at=when)


def certification_check(certification: Certification | None, statement: str) -> Certification:
    """Refuse a signing without the current statement confirmed after a fresh re-authentication."""
    if certification is None:
        raise NotCertified(NOT_CERTIFIED, code="not_certified")
    version, _text = STATEMENTS[statement]
    if certification.statement != statement or certification.version != version:
        raise NotCertified(WRONG_STATEMENT, code="not_certified")
    if certification.text != statement_text(statement, certification.language):
        raise NotCertified(WRONG_STATEMENT, code="not_certified")
    fresh = datetime.timedelta(minutes=settings.STEP_UP_MINUTES)
    when = certification.reauthenticated_at
    if when is None or not (timezone.now() - fresh <= when <= timezone.now() + datetime.timedelta(seconds=5)):
        raise NotCertified(NOT_REAUTHENTICATED % {"minutes": settings.STEP_UP_MINUTES}, code="not_reauthenticated")
    return certification
