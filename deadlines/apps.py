from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and notifications")

    def ready(self) -> None:
        from deadlines import (
            access_rules,  # noqa: F401  (registers scopes with mrv.access)
            tasks,  # noqa: F401  (registered wherever the outbox may run them eagerly)
        )
        from deadlines.selectors import upcoming_deadlines
        from mrv.ui import home
        from mrv.ui.navigation import NavItem, register

        register(NavItem(_("Deadlines"), "deadlines:calendar", lambda user: True, order=40))
        if upcoming_deadlines not in home.UPCOMING_SOURCES:
            home.UPCOMING_SOURCES.append(upcoming_deadlines)
