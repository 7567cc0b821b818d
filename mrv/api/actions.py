"""What the verifier's, spot checker's and regulator's endpoints share, on top of the API's conventions
(mrv/api/conventions.py: problem documents, Idempotency-Key, ETag/If-Match, pagination, throttling): object
lookup (404 for what the caller may not see, `If-Match` checked under a row lock on a write), the status of a
refusal, and the step-up rule for approving actions.

Refusals: the conventions answer every `Refused` 409; these endpoints keep 409 for "not from this state"
(`STATE_CONFLICTS`), answer 403 where the caller may not (four eyes, step-up) and 400 where the input is wrong
(a reason, a figure, a file), so a client knows whether to fix its request or reload the object.

The views stay thin: find the object among those `mrv.access` (or `registry.access`) lets the caller see,
validate the body with a serializer, call the same service as the browser, answer the new state (with its ETag).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS

from mrv import access
from mrv.api.conventions import IDEMPOTENCY_KEY, check_if_match, locked, problem, problems, with_etag
from mrv.models import YearNotSupported
from mrv.refusals import Refused

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
        "not_draft",
        "not_approved",
    }
)
#: Refusal codes that mean "you may not" rather than "not now": 403.
FORBIDDEN = frozenset({"four_eyes", "step_up_required"})

STEP_UP_HEADER = "X-Second-Factor"
STEP_UP_NEEDED = _(
    "This action needs a fresh second factor: send a code of your authenticator app (or a recovery code) "
    "in the X-Second-Factor header."
)
STEP_UP_NO_DEVICE = _(
    "This action needs a second factor, and you have none: enrol an authenticator app on your security page."
)
STEP_UP_WRONG = _("The second-factor code is wrong or was used already.")


def refusal_status(code: str) -> int:
    if code in STATE_CONFLICTS:
        return status.HTTP_409_CONFLICT
    if code in FORBIDDEN:
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_400_BAD_REQUEST


class WorkSchema(AutoSchema):
    """Declares the `Idempotency-Key` header on every action marked `@idempotent`."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None)
        if getattr(handler, "idempotent", False):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters


class ActionViewSet(viewsets.GenericViewSet):
    """Refusals of the services answer as problem documents with the status above; the rest as the conventions."""

    schema = WorkSchema()

    def handle_exception(self, exc):
        if isinstance(exc, Refused):
            return problem(refusal_status(exc.code), exc.message, code=exc.code)
        if isinstance(exc, YearNotSupported):
            return problem(404, exc.message, code="year_not_supported")
        if isinstance(exc, DjangoPermissionDenied):
            return problem(403, str(exc) or _("You may not do this."), code="permission_denied")
        return super().handle_exception(exc)

    def visible(self, model_or_queryset, pk):
        """The object with this id among those the caller may see, or 404 (also for an id that is no number).
        On a write, a sent `If-Match` must name the object's current version (412 otherwise), row locked."""
        return self.visible_among(access.visible_to(self.request.user, model_or_queryset), pk)

    def visible_among(self, queryset, pk):
        """As `visible`, among a queryset the view has already narrowed by the existing rules (e.g. the firms the
        caller may see): for kinds the access rules reach through another object."""
        text = str(pk)
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise Http404
        obj = queryset.filter(pk=int(text)).first()
        if obj is None:
            raise Http404
        if self.request.method not in SAFE_METHODS and self.request.headers.get("If-Match"):
            locked(type(obj), obj.pk)
            check_if_match(self.request, obj)
        return obj

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context={"request": self.request, "view": self})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def tagged(self, response, obj):
        """The response with the object's ETag (the version a later `If-Match` names)."""
        return with_etag(response, obj)


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


def sheet_problem(messages, *, code: str):
    """A whole file refused: one error per row message, each with its row number (nothing was imported)."""
    from mrv.api.conventions import _messages_with_rows

    texts = [str(m) for m in messages]
    return problem(400, " ".join(texts[:3]), code=code, errors=_messages_with_rows(texts, "file"))


def problem_responses(*statuses: int) -> dict:
    """The schema's error answers of an action (problem documents, as the conventions declare them)."""
    return problems(*statuses)


WRONG_STATE_EXAMPLE = OpenApiExample(
    "wrong state",
    value={
        "type": "/api/v1/problems/wrong-state",
        "title": "This cannot happen now.",
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
        "type": "/api/v1/problems/wrong-state",
        "title": "现在不能这样做。",
        "status": 409,
        "detail": "排放报告处于“草稿”状态时不能执行“sign off”。",
        "code": "wrong_state",
    },
    response_only=True,
    status_codes=["409"],
)
STATE_EXAMPLES = [WRONG_STATE_EXAMPLE, WRONG_STATE_EXAMPLE_ZH]
