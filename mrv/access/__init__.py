"""Who may see what, decided in one place per kind of object.

For each kind there is a queryset (`visible_to(user, Model)`, for lists, the admin and the API)
and a predicate (`can_view(user, obj)`, for one object); tests check that the two agree for
every persona. Register a new kind with `@scope(Model)` and `@predicate(Model)`.

`core` holds the registry; the rule modules register their kinds when imported, in this order (the
verification rules wrap the report and firm rules registered before them).
"""

from mrv.access import organisations, plans, reports, verification, work  # noqa: F401  (registers the rules)
from mrv.access.core import (  # noqa: F401  (the public API: `access.visible_to`, ...)
    EVERYTHING,
    NOTHING,
    can_view,
    is_registered,
    predicate,
    regulated_by,
    regulates,
    scope,
    visible_ids,
    visible_to,
)
