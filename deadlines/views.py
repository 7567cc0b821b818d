from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.refusals import Refused

from . import selectors, services
from .clock import shanghai_today
from .forms import ExtensionForm


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    today = shanghai_today()
    deadlines = selectors.deadline_calendar(request.user, today)
    page = Paginator(deadlines, 100).get_page(request.GET.get("page"))
    rows = selectors.deadline_rows(list(page), today)
    return render(request, "deadlines/calendar.html", {"page": page, "rows": rows, "today": today})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "deadlines/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_visible(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, acting_user=request.user)
    return redirect(notification.url or "deadlines:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(acting_user=request.user)
    return redirect("deadlines:notifications")


@login_required
def snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    snap = selectors.snapshot_visible(user=request.user, pk=pk)
    warnings = selectors.snapshot_warnings(snapshot=snap)
    return render(request, "deadlines/snapshot.html", {"snapshot": snap, "warnings": warnings})


@login_required
def extension_grant(request: HttpRequest, firm_id: int) -> HttpResponse:
    firm = selectors.firm_visible(user=request.user, pk=firm_id)
    if not (request.user.is_regulator and request.user.market_id == firm.market_id):
        raise PermissionDenied
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_extension_grant(firm=firm, acting_user=request.user, **form.cleaned_data)
        except Refused as refused:
            form.add_error(None, str(refused.message))
        else:
            messages.success(request, _("The deadline has been extended and the firm has been told."))
            return redirect("deadlines:calendar")
    return render(request, "deadlines/extension_form.html", {"form": form, "firm": firm})
