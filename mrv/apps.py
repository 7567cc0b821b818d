from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MrvConfig(AppConfig):
    name = "mrv"
    verbose_name = _("MRV cycle")
