"""What the verifier's, spot checker's and regulator's endpoints share: object lookup (404 for what the caller
may not see), refusals as problem documents (409 when the object's state forbids the action, 400 for bad input,
403 when the caller may not do it), and the step-up rule for approving actions.

The views stay thin: find the object among those `mrv.access` (or `registry.access`) lets the caller see,
validate the body with a serializer, call the same service as the browser, answer the new state.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mrv import access
from mrv.models import YearNotSupported
from mrv.refusals import Refused, refusal_messages

#: Refusal codes that mean "not from the object's current state" (or someone moved it meanwhile): 409.
STATE_CONFLICTS = frozenset(
    {
        "wrong_state",
        "concurrent",
        "already_drawn",
        "already_sampled",
        "already_reviewed",
        "no_proposal",
        "no_sample",
        "exists",
        "not_verified",
        "plan_required",
    }
)
#: Refusal codes that mean "you may not" rather than "not now": 403.
FORBIDDEN = frozenset({"four_eyes", "step_up_required"})
PROBLEM_TYPE = "/api/v1/problems/"

STEP_UP_HEADER = "X-Second-Factor"
STEP_UP_NEEDED = _(
    "This action needs a fresh second factor: send a code of your authenticator app (or a recovery code) "
    "in the X-Second-Factor header."
)
STEP_UP_NO_DEVICE = _(
    "This action needs a second factor, and you have none: enrol an authenticator app on your security page."
)
STEP_UP_WRONG = _("The second-factor code is wrong or was used already.")
NOT_AN_INTEGER = _("“%(value)s” is not a whole number.")


def problem(status_code: int, code: str, detail, errors: dict | None = None) -> Response:
    """An RFC 9457 problem document (`type`, `title`, `status`, `detail`) plus the refusal's `code`."""
    body = {
        "type": f"{PROBLEM_TYPE}{code}",
        "title": code.replace("_", " "),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type="application/problem+json")


def refusal_status(code: str) -> int:
    if code in STATE_CONFLICTS:
        return status.HTTP_409_CONFLICT
    if code in FORBIDDEN:
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_400_BAD_REQUEST


class ActionViewSet(viewsets.GenericViewSet):
    """Refusals of the services answer as problem documents; the state's conflicts are 409."""

    def handle_exception(self, exc):
        if isinstance(exc, Refused):
            return problem(refusal_status(exc.code), exc.code, exc.message)
        if isinstance(exc, YearNotSupported):
            return problem(404, "year_not_supported", exc.message)
        if isinstance(exc, DjangoValidationError):
            return problem(400, "invalid", " ".join(refusal_messages(exc)))
        if isinstance(exc, DjangoPermissionDenied):
            return problem(403, "permission_denied", str(exc) or _("You may not do this."))
        if isinstance(exc, ValidationError):
            return problem(400, "invalid", _("The request has invalid fields."), errors=exc.detail)
        return super().handle_exception(exc)

    def visible(self, model_or_queryset, pk):
        """The object with this id among those the caller may see, or 404 (also for an id that is no number)."""
        text = str(pk)
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise Http404
        queryset = access.visible_to(self.request.user, model_or_queryset)
        obj = queryset.filter(pk=int(text)).first()
        if obj is None:
            raise Http404
        return obj

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context={"request": self.request, "view": self})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def require_step_up(request) -> None:
    """The browser asks for a second factor given within STEP_UP_MINUTES before an approving action; a token
    carries no sign-in, so a token's call carries the code itself (`X-Second-Factor`), used once. A signed-in
    browser session that stepped up recently passes as it does on the page."""
    from django_otp import match_token

    from signin.mfa import has_device, is_fresh

    if not _is_token(request) and is_fresh(request._request):
        return
    code = (request.headers.get(STEP_UP_HEADER) or "").strip().replace(" ", "")
    if not has_device(request.user):
        raise Refused(STEP_UP_NO_DEVICE, code="step_up_required")
    if not code:
        raise Refused(STEP_UP_NEEDED, code="step_up_required")
    if len(code) > 32 or match_token(request.user, code) is None:
        raise Refused(STEP_UP_WRONG, code="step_up_required")


def _is_token(request) -> bool:
    return request.auth is not None


def problem_responses(*statuses: int) -> dict:
    """The schema's error answers of an action (all problem documents)."""
    described = {
        400: _("Bad input: the problem names the field."),
        403: _("Not permitted (or a second factor is needed)."),
        404: _("Not found among the objects you may see."),
        409: _("Not possible in the object's current state."),
    }
    return {s: OpenApiResponse(PROBLEM, description=str(described[s])) for s in statuses}


PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)

WRONG_STATE_EXAMPLE = OpenApiExample(
    "wrong state",
    value={
        "type": "/api/v1/problems/wrong_state",
        "title": "wrong state",
        "status": 409,
        "detail": "“sign off” is not possible while the emission report is “draft”.",
        "code": "wrong_state",
    },
    response_only=True,
    status_codes=["409"],
)
WRONG_STATE_EXAMPLE_ZH = OpenApiExample(
    "wrong state (Chinese)",
    value={
        "type": "/api/v1/problems/wrong_state",
        "title": "wrong state",
        "status": 409,
        "detail": "排放报告为“草稿”时不能“sign off”。",
        "code": "wrong_state",
    },
    response_only=True,
    status_codes=["409"],
)
STATE_EXAMPLES = [WRONG_STATE_EXAMPLE, WRONG_STATE_EXAMPLE_ZH]
