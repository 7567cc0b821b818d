from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisclosureConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disclosure"
    verbose_name = _("Public disclosure")

    def ready(self) -> None:
        from disclosure import access, demo  # noqa: F401 - access registers the publication scope
        from mrv.ui.actions import ACTION_LABELS

        demo.register()
        for code, label in (
            ("proposed", pgettext_lazy("audit action", "proposed")),
            ("published", pgettext_lazy("audit action", "published")),
            ("rejected", pgettext_lazy("audit action", "rejected")),
        ):
            ACTION_LABELS.setdefault(code, label)
