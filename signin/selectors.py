"""Who sees which security events and tokens (registered with `mrv.access`), and the locked accounts."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
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


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """A person's own API tokens."""
    return ApiToken.objects.filter(user=user)


def tokens_of_others(*, user: User, limit: int = 500) -> QuerySet[ApiToken]:
    """Everyone else's API tokens, with their owners (the national administrator's list)."""
    return ApiToken.objects.exclude(user=user).select_related("user")[:limit]


def token_revocable(*, user: User, pk: int) -> ApiToken:
    """A token `user` may revoke (their own; any for the national administrator), with its owner; else 404."""
    queryset = ApiToken.objects.all() if user.is_national_admin else access.visible_to(user, ApiToken)
    return get_object_or_404(queryset.select_related("user"), pk=pk)


def security_events(
    *, user: User, action: str = "", username: str = "", source_ip: str | None = None
) -> QuerySet[SecurityEvent]:
    """The security events `user` may see, narrowed to an action, a username and a source address when given."""
    qs = access.visible_to(user, SecurityEvent)
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username)
    if source_ip:
        qs = qs.filter(source_ip=source_ip)
    return qs
