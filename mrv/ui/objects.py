"""Object access for views: 404 for what the user may not see, 403 for what they may not do."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from mrv import access


def visible_or_404(user, model_or_queryset: type[Model] | QuerySet, **lookup) -> Model:
    """The object matching `lookup` among those `user` may see (`mrv.access.visible_to`), or 404."""
    return get_object_or_404(access.visible_to(user, model_or_queryset), **lookup)


def require(allowed: bool, message: str = "") -> None:
    """403 unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
