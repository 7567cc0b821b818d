from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and notifications")

    def ready(self) -> None:
        from deadlines import (
            access_rules,  # noqa: F401  (registers scopes with mrv.access)
            tasks,  # noqa: F401  (registered wherever the outbox may run them eagerly)
        )
        from deadlines.selectors import upcoming_queue
        from mrv.ui import home
        from mrv.ui.actions import register_actions
        from mrv.ui.badges import register_labels
        from mrv.ui.home import home_section
        from mrv.ui.navigation import NavItem, register

        from .selectors import overdue_section

        register(NavItem(_("Deadlines"), "deadlines:calendar", lambda user: True, order=40))
        register_labels({"overdue": pgettext_lazy("deadline", "overdue")})
        register_actions(
            {
                "granted": pgettext_lazy("audit action", "extension granted"),
                "engagement_opened": pgettext_lazy("audit action", "engagement opened"),
                "report_opened": pgettext_lazy("audit action", "report opened"),
            }
        )
        home_section(overdue_section)
        from deadlines.demo_early_warning import seed_early_warning
        from mrv import demo

        demo.register_step(seed_early_warning)
        if upcoming_queue not in home.UPCOMING_SOURCES:
            home.UPCOMING_SOURCES.append(upcoming_queue)
