from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("allowance registry")

    def ready(self) -> None:
        # mrv is the lower app and imports nothing of the registry: the registry registers itself.
        from mrv import demo
        from registry import access  # noqa: F401  (registers its scopes and predicates with mrv.access)
        from registry.demo import seed_registry

        demo.register_step(seed_registry)
        from mrv.services.pending_changes import register_four_eyes
        from registry.models import ProductionRecord

        register_four_eyes(ProductionRecord)  # an officer's change of a production record waits for a head

        from registry import desk

        desk.register()
