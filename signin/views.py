"""Second factor (verify, enrol, step-up), API tokens and the security events page."""

import csv
import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signin import events, mfa, selectors, services, tokens
from signin.forms import ApiTokenForm, EventFilterForm, PasswordAgainForm, TokenCodeForm
from signin.models import SecurityEvent
from signin.ratelimit import rate_limited

A = SecurityEvent.Action
OUT = SecurityEvent.Outcome
EVENTS_PER_PAGE = 200
CSV_LIMIT = 50_000

login = rate_limited("signin")(auth_views.LoginView.as_view())


@login_required
@rate_limited("signin")
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    next_url = mfa.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_verified():
        return redirect(next_url)
    if not mfa.has_device(request.user):
        return redirect("signin:enrol")
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.second_factor_verify(request, form.cleaned_data["token"]):
            events.record(A.SECOND_FACTOR, OUT.SUCCESS, request=request)
            return redirect(next_url)
        events.record(A.SECOND_FACTOR_FAILED, OUT.FAILURE, request=request)
        form.add_error("token", services.WRONG_CODE)
    return render(request, "signin/verify.html", {"form": form, "next": next_url})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
@rate_limited("signin")
def enrol(request: HttpRequest) -> HttpResponse:
    """The person's second factor: enrol an authenticator app (QR code and secret), recovery codes."""
    user = request.user
    enrolled = mfa.has_device(user)
    if enrolled and not user.is_verified():
        return redirect("signin:verify")
    context = {"enrolled": enrolled, "required": mfa.role_requires_mfa(user)}
    if not enrolled:
        device = mfa.totp_device_pending(user)
        form = TokenCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = services.second_factor_enrol(
                    request=request, device=device, code=form.cleaned_data["token"], acting_user=user
                )
            except PermissionDenied as exc:
                form.add_error("token", str(exc))
            else:
                next_url = mfa.safe_next(request, request.GET.get("next"))
                return render(request, "signin/recovery_codes.html", {"codes": codes, "next": next_url})
        secret = b32encode(device.bin_key).decode()
        context.update(form=form, qr_svg=_qr_svg(device.config_url), secret=secret)
    return render(request, "signin/enrol.html", context)


@login_required
@require_POST
@mfa.step_up_required()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not mfa.has_device(request.user):
        return redirect("signin:enrol")
    codes = services.recovery_codes_renew(request=request, acting_user=request.user)
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
@mfa.step_up_required()
def second_factor_remove(request: HttpRequest) -> HttpResponse:
    try:
        services.second_factor_remove(request=request, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your second factor is removed."))
    return redirect("signin:enrol")


@login_required
@rate_limited("signin")
def step_up(request: HttpRequest) -> HttpResponse:
    """A fresh re-authentication: the second factor, or the password of someone who has none."""
    next_url = mfa.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    with_device = mfa.has_device(request.user)
    form = (TokenCodeForm if with_device else PasswordAgainForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = (
            mfa.second_factor_verify(request, form.cleaned_data["token"]) is not None
            if with_device
            else request.user.check_password(form.cleaned_data["password"])
        )
        events.record(A.STEP_UP, OUT.SUCCESS if ok else OUT.FAILURE, request=request)
        if ok:
            mfa.mark_fresh(request)
            return redirect(next_url)
        form.add_error(None, services.WRONG_CODE if with_device else _("That is not your password."))
    return render(request, "signin/step_up.html", {"form": form, "next": next_url, "with_device": with_device})


# --- API tokens ---------------------------------------------------------------------------------------


@login_required
@rate_limited("signin")
def token_list(request: HttpRequest) -> HttpResponse:
    """Each person's own tokens (the national administrator sees everyone's) and a form for a new one."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _token, new_key = tokens.token_create(
            user=request.user,
            name=data["name"],
            scope=data["scope"],
            days=data["days"],
            acting_user=request.user,
            request=request,
        )
        form = ApiTokenForm()
    mine = selectors.tokens_of(user=request.user)
    others = selectors.tokens_of_others(user=request.user) if request.user.is_national_admin else []
    return render(request, "signin/tokens.html", {"form": form, "new_key": new_key, "mine": mine, "others": others})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_revocable(user=request.user, pk=pk)
    tokens.token_revoke(token=token, acting_user=request.user, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("signin:tokens")


# --- Security events -----------------------------------------------------------------------------------


def _events_viewer(request: HttpRequest) -> None:
    if not (request.user.is_regulator or request.user.is_national_admin):
        raise PermissionDenied(_("Only regulators and the national administrator see security events."))


def _filtered_events(request: HttpRequest, form: EventFilterForm):
    if not form.is_valid():
        return selectors.security_events(user=request.user)
    data = form.cleaned_data
    return selectors.security_events(
        user=request.user, action=data["action"], username=data["username"], source_ip=data["source_ip"]
    )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _events_viewer(request)
    form = EventFilterForm(request.GET or None)
    qs = _filtered_events(request, form)
    if request.GET.get("format") == "csv":
        return _events_csv(qs)
    return render(
        request,
        "signin/events.html",
        {
            "form": form,
            "events": qs[:EVENTS_PER_PAGE],
            "limit": EVENTS_PER_PAGE,
            "locked": selectors.locked_usernames(request.user),
            "query": request.GET.urlencode(),
        },
    )


def _no_formula(value: str) -> str:
    return f"'{value}" if value and value[0] in "=+-@" else value


def _events_csv(qs) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "user", "source_ip", "user_agent", "action", "object", "outcome", "detail"])
    for e in qs[:CSV_LIMIT].iterator():
        row = [e.at.isoformat(), e.username, e.source_ip or "", e.user_agent, e.action, e.object_ref, e.outcome]
        writer.writerow([_no_formula(str(v)) for v in [*row, e.detail_display()]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="security-events.csv"'
    return response


@login_required
@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    _events_viewer(request)
    username = request.POST.get("username", "")
    services.signin_unlock(username=username, acting_user=request.user, request=request)
    messages.success(request, _("%(name)s can sign in again.") % {"name": username})
    return redirect("signin:events")
