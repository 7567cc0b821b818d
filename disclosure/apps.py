from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disclosure"
    verbose_name = _("Public disclosure")

    def ready(self) -> None:
        from disclosure import access, demo  # noqa: F401 - access registers the publication scope

        demo.register()
