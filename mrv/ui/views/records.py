"""Documents of record: a seal's page (checked every time it is shown), its human-readable copy, its official
PDF (rendered once, then served from storage) and the firm's repudiation of a submission it did not make.

Every view finds the seal among those the user may see (mrv/records/access_rules.py): another tenant's → 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, selectors
from mrv.models import Seal
from mrv.records.access_rules import is_repudiator
from mrv.records.canonical import ALGORITHM, readable
from mrv.records.pdf import verification_url
from mrv.refusals import Refused, refusal_response
from mrv.services import records as svc
from mrv.uploads import download_headers


def _seal(request: HttpRequest, pk: int) -> Seal:
    seal = (
        access.visible_to(request.user, Seal)
        .select_related("signed_by", "firm", "market", "report")
        .filter(pk=pk)
        .first()
    )
    if seal is None:
        raise Http404
    return seal


@login_required
@require_GET
def seal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    (seal,) = selectors.seals_with_checks([_seal(request, pk)])
    context = {
        "seal": seal,
        "algorithm": ALGORITHM,
        "readable": readable(seal.canonical),
        "repudiation": getattr(seal, "repudiation", None),
        "document": getattr(seal, "document", None),
        "offer_repudiation": is_repudiator(request.user, seal) and not hasattr(seal, "repudiation"),
        "verify_url": verification_url(seal),
    }
    return render(request, "ui/seal_detail.html", context)


@login_required
@require_GET
def seal_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The copy of record for people: what was sealed, indented, with its digest and signer."""
    (seal,) = selectors.seals_with_checks([_seal(request, pk)])
    header = [
        f"{seal.get_kind_display()} · {seal.firm.name} · {seal.year}",
        f"{_('status')}: {_('sealed, intact') if seal.check.intact else _('ALTERED')}",
        f"{ALGORITHM}: {seal.digest}",
        f"{_('sealed at')}: {seal.signed_at.isoformat()}",
        f"{_('signed by')}: {seal.signed_by.username if seal.signed_by else '—'}",
    ]
    if seal.statement_text:
        header.append(f"{_('certification as confirmed')} (v{seal.statement_version}): {seal.statement_text}")
    header.append(f"{_('canonical content')}:\n{seal.canonical}")
    body = "\n".join(header) + "\n\n" + readable(seal.canonical) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{seal.kind}-{seal.object_id}-{seal.digest[:8]}.txt"'
    return download_headers(response)


@login_required
@require_GET
def seal_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    issued = svc.document_issue(seal=seal, acting_user=request.user)
    response = FileResponse(
        default_storage.open(issued.storage_name, "rb"),
        as_attachment=True,
        filename=issued.file_name,
        content_type="application/pdf",
    )
    return download_headers(response)


@login_required
@require_POST
def seal_repudiate(request: HttpRequest, pk: int) -> HttpResponse:
    seal = _seal(request, pk)
    try:
        svc.seal_repudiate(seal=seal, reason=request.POST.get("reason", "")[:4000], acting_user=request.user)
    except Refused as refused:
        return refusal_response(request, refused, reverse("ui:seal_detail", args=[seal.pk]))
    messages.success(request, _("The repudiation is recorded and the regulator has been told."))
    return redirect("ui:seal_detail", pk=seal.pk)
