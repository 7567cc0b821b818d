from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MrvConfig(AppConfig):
    name = "mrv"
    verbose_name = _("MRV cycle")

    def ready(self) -> None:
        from mrv.security import db_roles, sessions  # noqa: F401  (sign-in time for the absolute session lifetime)

        post_migrate.connect(db_roles.grant_after_migrate, dispatch_uid="mrv.grant_app_role")
