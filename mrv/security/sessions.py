"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request and SESSION_ABSOLUTE_LIFETIME_SECONDS after
sign-in, whatever the activity.

The idle timeout is the session's own expiry (SESSION_COOKIE_AGE), which the server enforces: an expired
session is refused even if the browser still sends its cookie. A request moves the expiry forward by saving
the session, at most once a minute (REFRESH_SECONDS), so that pages do not write the session on every
request. The absolute lifetime counts from the sign-in time stored in the session.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "mrv_signed_in_at"
LAST_SEEN = "mrv_last_seen"
REFRESH_SECONDS = 60


@receiver(user_logged_in)
def _remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


class SessionLifetimeMiddleware:
    """Sign out a session older than the absolute lifetime; keep an active one from reaching its idle expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.get(SIGNED_IN_AT)
            if not isinstance(started, int):
                session[SIGNED_IN_AT] = now  # a session from before this rule: its clock starts now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                logout(request)
                return self.get_response(request)
            last_seen = session.get(LAST_SEEN)
            if not isinstance(last_seen, int) or now - last_seen >= REFRESH_SECONDS:
                session[LAST_SEEN] = now  # saved with a new expiry: now + SESSION_IDLE_TIMEOUT_SECONDS
        return self.get_response(request)
