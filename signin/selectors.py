"""Who sees which security events and tokens (registered with `mrv.access`), and the locked accounts."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from mrv import access
from mrv.models import User
from signin.models import ApiToken, SecurityEvent


@access.scope(SecurityEvent)
def _events(user: User) -> Q:
    """Regulators see the events of the people they see (their authority, their market's firms)."""
    if not user.is_regulator:
        return access.NOTHING
    return Q(user_id__in=access.visible_to(user, User).values("pk"))


@access.predicate(SecurityEvent)
def _event(user: User, event: SecurityEvent) -> bool:
    return (
        user.is_regulator
        and event.user_id is not None
        and access.visible_to(user, User).filter(pk=event.user_id).exists()
    )


@access.scope(ApiToken)
def _tokens(user: User) -> Q:
    return Q(user_id=user.pk)


@access.predicate(ApiToken)
def _token(user: User, token: ApiToken) -> bool:
    return token.user_id == user.pk


def locked_usernames(user: User) -> list[str]:
    """Accounts locked by repeated failures that `user` may unlock."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    names = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).values_list("username", flat=True)
    visible = access.visible_to(user, User).filter(username__in=list(names))
    return sorted(visible.values_list("username", flat=True))
