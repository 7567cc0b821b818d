from django.http import HttpRequest

from .selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    """`unread_notifications_count` for the bell in the header (one query, only when logged in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications_count": unread_count(user)}
