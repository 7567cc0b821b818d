"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request and SESSION_ABSOLUTE_LIFETIME_SECONDS after
sign-in, whatever the activity.

The idle timeout is the session's own expiry, moved forward by every request (SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST): the server refuses an expired session even if the browser still sends its cookie.
The absolute lifetime counts from the sign-in time stored in the session.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "mrv_signed_in_at"


@receiver(user_logged_in)
def _remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class AbsoluteSessionLifetimeMiddleware:
    """Sign out a session older than SESSION_ABSOLUTE_LIFETIME_SECONDS; the page then asks for a new sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = int(time.time())
            if not isinstance(started, int):
                request.session[SIGNED_IN_AT] = now  # a session from before this rule: its clock starts now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                logout(request)
        return self.get_response(request)
