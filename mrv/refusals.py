"""One refusal type: `Refused(message, code)`, and the one way the browser and the API answer it.

A service raises a `Refused` (or a subclass: workflow transitions, ledger movements, uploads, imports)
before or inside its transaction, so a refusal always means nothing was changed. The message is for
the user as it is (translated, naming the row or field where there is one); the code is for programs
and tests.

Pages: `refusal_response` shows the message and goes back (400 with the message for htmx requests);
`RefusalMiddleware` does the same for any refusal a view does not catch itself. The API
(`mrv.api.conventions.api_exception_handler`) answers 409 with a problem document carrying the message and code.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme


class Refused(Exception):
    """Something a user asked for that may not happen now; nothing was changed."""

    default_code = "refused"

    def __init__(self, message, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code

    @property
    def messages(self) -> list[str]:
        return [str(self.message)]


def refusal_messages(error: Exception) -> list[str]:
    """The user-facing messages of a refusal or of a Django `ValidationError` raised by a service."""
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return getattr(error, "messages", None) or [str(error)]


def _back_url(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return "/"


def show_refusal(request: HttpRequest, error: Exception) -> None:
    """The refusal's messages on the page the view renders next (a form page shown again)."""
    for text in refusal_messages(error):
        messages.error(request, text)


def refusal_response(request: HttpRequest, error: Exception, back: str | None = None) -> HttpResponse:
    """Show the refusal's messages; htmx gets 400 with them, a plain POST goes `back` (default: where it came from)."""
    if getattr(request, "htmx", False):
        body = "".join(f'<p class="error" role="alert">{escape(t)}</p>' for t in refusal_messages(error))
        return HttpResponse(body, status=400)
    show_refusal(request, error)
    return redirect(back or _back_url(request))


class RefusalMiddleware:
    """A refusal no view caught becomes a message, not a 500 (the service changed nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused) and not request.path.startswith("/api/"):
            return refusal_response(request, exception)
        return None
