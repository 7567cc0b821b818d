"""The REST API's conventions, shared by every endpoint (firm, verifier, regulator, registry).

- Errors are RFC 9457 problem documents (`application/problem+json`): `type`, `title`, `status`, `detail`,
  `code`, and for bad input `errors` — one entry per problem with its JSON `pointer` (`#/rows/3/activity`)
  and, where the message names one, its `row`. A refusal (`mrv.refusals.Refused`, e.g. the wrong state)
  is 409; a stale `If-Match` 412; a replayed idempotency key with another body 409; throttling 429 with
  `Retry-After`.
- Lists are paginated; the count is exact up to `settings.API_COUNT_CAP` rows and then says so
  (`count_is_exact: false`), so a national list never waits for a full COUNT(*).
- Filters are django-filter FilterSets (declared in the schema by drf-spectacular; bad values are a 400).
- `@idempotent` on every POST that creates or moves something: `Idempotency-Key` is required; the first
  successful response to a (user, key) is stored in the same transaction as the change and replayed for
  the same request; the same key with another request is 409. Failed requests changed nothing (services are
  atomic), so they do not consume the key.
- Optimistic concurrency on what can change under a client: GET answers an `ETag`; a write or action may
  send `If-Match` and gets 412 when the object changed since. `If-Match` is optional (a client that does
  not send it gets last-writer-wins, as in the browser) but is checked under a row lock when present.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.encoders import JSONEncoder

from mrv.models import IdempotencyRecord
from mrv.refusals import Refused
from mrv.selectors.audit import last_audit_pk, locked_row

PROBLEM_TYPE_BASE = "/api/v1/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("The request is not valid."),
    401: _("Authentication is required."),
    403: _("You may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    409: _("This cannot happen now."),
    412: _("The object changed since you read it."),
    413: _("The request is too large."),
    415: _("This media type is not supported."),
    429: _("Too many requests."),
}
STALE = _("The object changed since you read it (its ETag is now %(etag)s); read it again and retry.")
KEY_MISSING = _("Send an Idempotency-Key header (any unique string up to 255 characters) with this request.")
KEY_TOO_LONG = _("The Idempotency-Key may be at most 255 characters.")
KEY_REUSED = _("This Idempotency-Key was already used for a different request; use a new key.")
KEY_IN_FLIGHT = _("A request with this Idempotency-Key is still being processed; retry later.")

# Django ValidationError codes a service uses to say "not in this state" (a conflict, not bad input).
STATE_CODES = frozenset({"not_editable", "wrong_state"})
# Refusal codes that mean "what you sent is wrong" (400) rather than "not now" (409).
BAD_INPUT_CODES = frozenset({"upload"})
ROW_IN_MESSAGE = _ROW = re.compile(r"\b(?:[Rr]ow|第)\s*(\d+)")


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = TITLES[412]
    default_code = "stale"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = TITLES[409]
    default_code = "conflict"


# --- Problem details ---------------------------------------------------------------------------------


def _pointer(path: list) -> str:
    return "#/" + "/".join(str(p) for p in path) if path else "#"


def _flatten(detail, path: list | None = None) -> list[dict]:
    """DRF's nested error detail as a flat list of {pointer, detail, code}."""
    path = path or []
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in _flatten(value, [*path, key])]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [_entry(item, path) for item in detail]
        return [e for index, item in enumerate(detail) for e in _flatten(item, [*path, index])]
    return [_entry(detail, path)]


def _entry(message, path: list) -> dict:
    pointer = "#" if path in ([], ["non_field_errors"]) else _pointer(path)
    entry = {"pointer": pointer, "detail": str(message), "code": getattr(message, "code", "invalid")}
    row = next((p for p in path if isinstance(p, int)), None)
    if row is not None:
        entry["row"] = row + 1  # rows are numbered from 1, as in the services' messages
    return entry


def _messages_with_rows(messages: list[str], field: str | None = None) -> list[dict]:
    """A service's messages name their row ("Row 3 (coal, month 1), ncv: …"); keep the number as data."""
    errors = []
    for text in messages:
        entry = {"pointer": f"#/{field}" if field else "#", "detail": str(text), "code": "invalid"}
        found = _ROW.search(str(text))
        if found:
            entry["row"] = int(found.group(1))
            if field:
                entry["pointer"] = f"#/{field}/{int(found.group(1)) - 1}"
        errors.append(entry)
    return errors


def problem(status_code: int, detail, *, code: str, errors: list | None = None, headers=None) -> Response:
    """A problem document response (RFC 9457)."""
    body = {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": str(TITLES.get(status_code, detail)),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _django_validation(exc: DjangoValidationError, context) -> Response:
    codes = {e.code for e in exc.error_list} if hasattr(exc, "error_list") else set()
    view = context.get("view")
    rows_field = getattr(view, "rows_field", None)
    if codes & STATE_CODES:
        return problem(409, " ".join(exc.messages), code=sorted(codes & STATE_CODES)[0])
    if hasattr(exc, "error_dict"):
        errors = [
            {"pointer": _pointer([k]), "detail": m, "code": "invalid"} for k, ms in exc.message_dict.items() for m in ms
        ]
        return problem(400, errors[0]["detail"], code="invalid", errors=errors)
    errors = _messages_with_rows(exc.messages, rows_field)
    return problem(400, exc.messages[0] if len(exc.messages) == 1 else TITLES[400], code="invalid", errors=errors)


def api_exception_handler(exc, context):
    """Every error of the API as a problem document; nothing a client sent becomes a 500."""
    # imported here: rest_framework.views reads the throttle and pagination settings, which name this module
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Refused):
        if exc.code in BAD_INPUT_CODES:  # a refused file is bad input, not a conflict
            where = {k: getattr(exc, k) for k in ("row", "column") if getattr(exc, k, None) is not None}
            errors = [{"pointer": "#/file", "detail": str(exc.message), "code": exc.code} | where]
            return problem(400, exc.message, code=exc.code, errors=errors)
        return problem(409, exc.message, code=exc.code)
    if isinstance(exc, DjangoValidationError):
        return _django_validation(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = errors[0]["detail"] if len(errors) == 1 else TITLES[400]
        return problem(400, detail, code="invalid", errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = code if isinstance(code, str) else "error"
    if isinstance(detail, (dict, list)):
        return problem(response.status_code, TITLES.get(response.status_code, ""), code=code, errors=_flatten(detail))
    return problem(response.status_code, detail, code=code, headers=headers)


@extend_schema_serializer(
    component_name="Problem",
    examples=[
        OpenApiExample(
            "stale (en)",
            {
                "type": "/api/v1/problems/stale",
                "title": "The object changed since you read it.",
                "status": 412,
                "detail": 'The object changed since you read it (its ETag is now "emissionreport-7-draft-93"); '
                "read it again and retry.",
                "code": "stale",
            },
        ),
        OpenApiExample(
            "bad rows (zh-hans)",
            {
                "type": "/api/v1/problems/invalid",
                "title": "请求无效。",
                "status": 400,
                "detail": "请求无效。",
                "code": "invalid",
                "errors": [
                    {
                        "pointer": "#/rows/1",
                        "row": 2,
                        "code": "invalid",
                        "detail": "第 2 行（coal，2 月），activity：“abc”不是数字。",
                    }
                ],
            },
        ),
    ],
)
class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error of this API is answered."""

    type = serializers.CharField(help_text="URI reference naming the kind of problem, e.g. /api/v1/problems/stale")
    title = serializers.CharField(help_text="short summary of the kind of problem, in the caller's language")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="what went wrong this time, in the caller's language")
    code = serializers.CharField(help_text="stable code for programs, e.g. invalid, wrong_state, stale, throttled")
    errors = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="for bad input: one entry per problem, {pointer: '#/rows/3/activity', detail, code, row}",
    )


class YearField(serializers.IntegerField):
    """A compliance year: ASCII digits within the supported range (`mrv.inputs.parse_year`), else a 400."""

    def to_internal_value(self, data):
        from mrv import inputs

        try:
            return inputs.parse_year(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


CERTIFY = _(
    "true: you confirm the certification statement of this signing (the page shows its text in your "
    "language); with a fresh second factor in X-Second-Factor"
)


class ReasonIn(serializers.Serializer):
    """The why of an action, recorded in the audit trail (optional unless the action asks for it)."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SubmitIn(ReasonIn):
    """A signing: the why, and the certification statement confirmed (see `signing_certification`)."""

    certify = serializers.BooleanField(required=False, default=False, help_text=CERTIFY)


def problems(*statuses: int) -> dict:
    """`extend_schema(responses=…)` entries for the error statuses an endpoint can answer."""
    return {
        (s, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=TITLES.get(s, "")) for s in statuses
    }


def add_common_problems(result, generator, request, public):
    """drf-spectacular post-processing: every operation can answer 401, 403 and 429 as problem documents."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in ("401", "403", "429"):
                responses.setdefault(
                    code,
                    {"description": str(TITLES[int(code)]), "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}}},
                )
    result.setdefault("components", {}).setdefault("schemas", {})
    return result


# --- Throttling ----------------------------------------------------------------------------------------


class TokenThrottle(BaseThrottle):
    """`settings.API_TOKEN_RATE` per API token (a browser session is counted by `signin.ratelimit.ApiThrottle`)."""

    wait_seconds = 0

    def allow_request(self, request, view) -> bool:
        from signin.models import ApiToken
        from signin.ratelimit import _hit

        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self.wait_seconds = _hit("api_token", f"token:{token.pk}", settings.API_TOKEN_RATE)
        return not self.wait_seconds

    def wait(self):
        return self.wait_seconds


# --- Pagination ----------------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Counts at most `settings.API_COUNT_CAP` + 1 rows (a LIMITed subquery), never the whole table."""

    @cached_property
    def count(self) -> int:
        cap = settings.API_COUNT_CAP
        counted = self.object_list[: cap + 1].count()
        self.count_is_exact = counted <= cap
        return counted if self.count_is_exact else cap + 1


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 500); `count` is exact up to the cap, `count_is_exact` says whether."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_is_exact": getattr(paginator, "count_is_exact", True),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        body["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": "false when there are more rows than the count cap; narrow with filters",
        }
        body["required"] = ["count", "count_is_exact", "results"]
        return body


# --- Optimistic concurrency ---------------------------------------------------------------------------


def etag_of(obj: models.Model) -> str:
    """A strong ETag that changes with every audited change of the object (its status and last audit row).

    Every write goes through a service that writes an audit row on the object in the same transaction,
    so the newest audit row id is the object's version; one indexed query.
    """
    return etag_at(obj, last_audit_pk(obj))


def etag_at(obj: models.Model, last_audit: int | None) -> str:
    """The ETag of `obj` whose newest audit row is `last_audit` (for many objects: `last_audit_pks`)."""
    state = getattr(obj, "status", "")
    return f'"{obj._meta.model_name}-{obj.pk}-{state}-{last_audit or 0}"'


def etag_matches(wanted: str, current: str) -> bool:
    """Whether an `If-Match` value (one or more ETags, or `*`) names `current`; an empty one matches."""
    if not wanted or wanted.strip() == "*":
        return True
    return current in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]


def with_etag(response: Response, obj: models.Model) -> Response:
    response["ETag"] = etag_of(obj)
    return response


def check_if_match(request, obj: models.Model) -> None:
    """412 if the request's `If-Match` names another version of `obj` (call it with the row locked)."""
    wanted = request.headers.get("If-Match")
    if not wanted or wanted.strip() == "*":
        return
    current = etag_of(obj)
    if not etag_matches(wanted, current):
        raise PreconditionFailed(STALE % {"etag": current})


def locked(model: type[models.Model], pk) -> None:
    """Lock the row so `check_if_match` and the change that follows see the same version."""
    locked_row(model, pk=pk)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="the ETag you read; 412 if the object changed since (optional: without it, last writer wins)",
)


# --- Idempotency keys ---------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="unique per change you mean (e.g. a UUID); a retry with the same key and body gets the same "
    "response without repeating the change; the same key with another body is 409",
)


def _request_fingerprint(request) -> str:
    """method, path and the parsed body (files by content), so a multipart boundary does not matter."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):
        plain = {k: sorted(v) for k, v in data.lists() if k not in request.FILES}
    else:
        plain = data
    digest.update(json.dumps(plain, sort_keys=True, cls=JSONEncoder, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code, headers=record.response_headers)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(request, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """Insert the key, or answer from (or refuse because of) the earlier request that used it."""
    earlier, new = IdempotencyRecord.claim(
        user=request.user, key=key, method=request.method, path=request.path, request_sha256=fingerprint
    )
    if new:
        return earlier
    if earlier.request_sha256 != fingerprint:
        raise Conflict(KEY_REUSED, code="idempotency_key_reused")
    if earlier.status_code is None:
        raise Conflict(KEY_IN_FLIGHT, code="idempotency_key_in_flight")
    return _replay(earlier)


def _stored(response: Response) -> tuple[dict | list | None, dict]:
    body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
    headers = {k: response[k] for k in ("Location", "ETag") if response.has_header(k)}
    return body, headers


def idempotent(handler: Callable) -> Callable:
    """For a view method that creates or moves something: see the module docstring.

    The key row, the change and the stored response commit together; a response that is not a success
    rolls the whole transaction back (the service changed nothing anyway) so the key can be used again.
    """

    @functools.wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise exceptions.ValidationError({"Idempotency-Key": [KEY_MISSING]}, code="idempotency_key_missing")
        if len(key) > 255:
            raise exceptions.ValidationError({"Idempotency-Key": [KEY_TOO_LONG]})
        fingerprint = _request_fingerprint(request)
        with transaction.atomic():
            claimed = _claim(request, key, fingerprint)
            if isinstance(claimed, Response):
                return claimed
            response = handler(view, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)
                return response
            body, headers = _stored(response)
            claimed.answered(status_code=response.status_code, body=body, headers=headers)
        return response

    wrapped.idempotent = True
    return wrapped


# --- Step-up for approvals ------------------------------------------------------------------------------

SECOND_FACTOR = OpenApiParameter(
    "X-Second-Factor",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="a current code of your authenticator app (or a recovery code): the registry's approvals "
    "ask for a fresh second factor, as the browser's step-up does",
)
STEP_UP_NEEDED = _(
    "This approval needs a fresh second factor: send a current authenticator code in the X-Second-Factor header "
    "(enrol an authenticator on your security page first)."
)


def require_second_factor(request) -> None:
    """The browser's step-up for an API call: a session that re-authenticated recently, or a code now (403)."""
    import django_otp

    from signin import events, mfa
    from signin.models import SecurityEvent

    if request.auth is None and mfa.is_fresh(request._request):
        return
    code = request.headers.get("X-Second-Factor", "").strip().replace(" ", "")
    ok = bool(code) and django_otp.match_token(request.user, code[:64]) is not None
    outcome = SecurityEvent.Outcome.SUCCESS if ok else SecurityEvent.Outcome.FAILURE
    events.record(SecurityEvent.Action.STEP_UP, outcome, request=request._request, user=request.user)
    if not ok:
        raise exceptions.PermissionDenied(STEP_UP_NEEDED, code="second_factor_required")


def signing_certification(request, statement: str):
    """A signing through the API, as on the page: the statement confirmed (`certify: true` in the body) and a
    second factor now. Without `certify` the service refuses the signing (409, nothing recorded)."""
    from django.utils import timezone, translation

    from mrv.records.certification import certification_given

    given = request.data.get("certify") if isinstance(request.data, dict) else None
    if given not in (True, "true", "on", "1", 1):
        return None
    require_second_factor(request)
    return certification_given(statement, reauthenticated_at=timezone.now(), language=translation.get_language())


def not_found(request, exception=None):
    """`handler404`: a URL under /api/ that matches no route is a problem document too; pages as before."""
    from django.http import JsonResponse
    from django.views import defaults

    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    body = {
        "type": PROBLEM_TYPE_BASE + "not-found",
        "title": str(TITLES[404]),
        "status": 404,
        "detail": str(TITLES[404]),
        "code": "not_found",
    }
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})
