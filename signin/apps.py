from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = _("Sign-in and security")

    def ready(self) -> None:
        from mrv.ui.navigation import NavItem, register
        from signin import events, selectors, tokens  # noqa: F401  (signal receivers, access scopes)

        register(
            NavItem(_("Security events"), "signin:events", lambda u: u.is_regulator or u.is_national_admin, order=90)
        )
