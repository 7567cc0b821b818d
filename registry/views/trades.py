"""The regulator imports the exchange's trades."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from mrv import uploads
from registry import services
from registry.forms import (
    TradeImportForm,
)
from registry.views.common import _regulated_market
from signin.ratelimit import rate_limited


@login_required
@rate_limited("upload")
def trade_import(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    form = TradeImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = uploads.read_upload(upload)
            uploads.check_name(uploads.CSV, upload.name)
            if services.trades_import_is_large(data):
                job = services.trades_import_later(
                    market=market,
                    data=data,
                    file_name=upload.name,
                    acting_user=request.user,
                    return_url=reverse("registry:trade_import"),
                )
                return redirect("ui:job_detail", pk=job.pk)
            recorded = services.trades_import(market=market, data=data, acting_user=request.user)
        except uploads.UploadRejected as rejected:
            errors = [str(rejected.message)]
        except services.ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, services.TRADES_RECORDED % {"n": len(recorded)})
            return redirect("registry:trade_import")
    return render(
        request,
        "registry/trade_import.html",
        {"market": market, "form": form, "errors": errors, "inline_rows": settings.TRADE_IMPORT_INLINE_ROWS},
        status=400 if errors else 200,
    )
