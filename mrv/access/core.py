"""Who may see what: the registry of scopes (querysets) and predicates (one object) per kind of object.

For each kind there is a queryset (`visible_to(user, Model)`, for lists, the admin and the API)
and a predicate (`can_view(user, obj)`, for one object); tests check that the two agree for
every persona. Register a new kind with `@scope(Model)` and `@predicate(Model)`."""

from collections.abc import Callable

from django.db import models
from django.db.models import Q, QuerySet

from mrv.models import (
    User,
)

_SCOPES: dict[type[models.Model], Callable[[User], Q]] = {}
_PREDICATES: dict[type[models.Model], Callable[[User, models.Model], bool]] = {}
NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def scope(model: type[models.Model]):
    def register(func: Callable[[User], Q]):
        _SCOPES[model] = func
        return func

    return register


def predicate(model: type[models.Model]):
    def register(func: Callable[[User, models.Model], bool]):
        _PREDICATES[model] = func
        return func

    return register


def visible_to(user: User, model_or_queryset) -> QuerySet:
    """The objects of a kind that `user` may see."""
    qs = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_national_admin:
        return qs
    rule = _SCOPES.get(qs.model)
    if rule is None:
        return qs.none()
    return qs.filter(rule(user))


def can_view(user: User, obj: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_national_admin:
        return True
    check = _PREDICATES.get(type(obj))
    return bool(check and check(user, obj))


def regulated_by(user: User, model_or_queryset) -> QuerySet:
    """The objects of a kind that `user` may choose in an admin form: all for the national administrator,
    their own market's for a market's authority, nothing for anyone else."""
    qs = model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    if getattr(user, "is_national_admin", False) and user.is_active:
        return qs
    if getattr(user, "role", None) not in User.AUTHORITY_ROLES or not user.is_active:
        return qs.none()
    return visible_to(user, qs)


def is_registered(model: type[models.Model]) -> bool:
    return model in _SCOPES and model in _PREDICATES


def regulates(user: User, market_id: int | None) -> bool:
    """A regulator (or statistics officer) of this market."""
    return user.role in User.AUTHORITY_ROLES and market_id is not None and user.market_id == market_id


def visible_ids(user: User, model: type[models.Model]) -> QuerySet:
    """The primary keys, as text, of the objects of `model` that `user` may see (for generic relations)."""
    from django.db.models.functions import Cast

    return visible_to(user, model).annotate(pk_text=Cast("pk", models.CharField())).values("pk_text")
