"""Documents of record: issuing a seal's official PDF (once) and a firm's repudiation of a submission.

Errors: `Refused` (nothing changed) with a message for the user. The seals themselves are written by the
services that record the statement (report submission, opinion sign-off, determination approval, the
registry's notices) through `mrv.records.seals.seal_record`, in their own transaction.
"""

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.audit import log_action
from mrv.models import IssuedDocument, Repudiation, Seal, User
from mrv.outbox import enqueue
from mrv.records import pdf
from mrv.records.access_rules import is_repudiator
from mrv.refusals import Refused

REPUDIATION_TASK = "deadlines.notify_repudiation"

ONLY_SUBMISSIONS = _("Only a submitted report version can be repudiated.")
ONLY_THE_FIRM = _("Only an approver of the firm in whose name it was submitted may repudiate a submission.")
REASON_NEEDED = _("Say why the firm did not make this submission.")
ALREADY_REPUDIATED = _("This submission has already been repudiated.")


def _stored(seal: Seal) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(seal=seal).first()


def document_issue(*, seal: Seal, acting_user) -> IssuedDocument:
    """The seal's PDF: rendered and stored the first time it is asked for, the stored one after that.

    `acting_user` None is the bulk worker acting for the person who started the run (checked there)."""
    if acting_user is not None and not access.can_view(acting_user, seal):
        raise Refused(_("Not found."), code="not_found")
    found = _stored(seal)
    if found is not None:
        return found
    data, pages = pdf.render_pdf(pdf.document_html(seal))
    name = pdf.file_name(seal)
    storage_name = default_storage.save(
        f"documents/{seal.market_id}/{seal.kind}/{secrets.token_hex(8)}/{name}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            issued = IssuedDocument.objects.create(
                seal=seal,
                storage_name=storage_name,
                file_name=name,
                sha256=digest_bytes(data),
                size=len(data),
                pages=pages,
            )
            log_action(seal, "mrv.document.issued", actor=acting_user, changes={"pdf_sha256": (None, issued.sha256)})
    except IntegrityError:  # issued concurrently: keep the first, drop our copy
        default_storage.delete(storage_name)
        return IssuedDocument.objects.get(seal=seal)
    return issued


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal_repudiate(*, seal: Seal, reason: str, acting_user: User) -> Repudiation:
    """The firm says a submission recorded in its name was not made by it: recorded, and the regulator told."""
    if seal.kind != Seal.Kind.REPORT_VERSION:
        raise Refused(ONLY_SUBMISSIONS, code="repudiation")
    if not is_repudiator(acting_user, seal):
        raise Refused(ONLY_THE_FIRM, code="repudiation")
    reason = (reason or "").strip()
    if not reason:
        raise Refused(REASON_NEEDED, code="reason_required")
    try:
        with transaction.atomic():
            repudiation = Repudiation.objects.create(
                seal=seal, market_id=seal.market_id, reason=reason[:4000], repudiated_by=acting_user
            )
            log_action(
                seal,
                "mrv.seal.repudiated",
                actor=acting_user,
                reason=reason[:2000],
                to_state="repudiated",
            )
            enqueue(REPUDIATION_TASK, repudiation_id=repudiation.pk)
    except IntegrityError:
        raise Refused(ALREADY_REPUDIATED, code="repudiation") from None
    return repudiation
