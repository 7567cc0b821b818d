from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("allowance registry")

    def ready(self) -> None:
        # mrv is the lower app and imports nothing of the registry: the registry registers itself.
        from mrv import demo
        from registry import (
            access,  # noqa: F401  (registers its scopes and predicates with mrv.access)
            documents,
        )

        documents.register()  # its notices as kinds of sealed documents (and the bulk run's job handler)
        from registry.demo import seed_registry

        demo.register_step(seed_registry)
        from mrv.services.pending_changes import register_four_eyes
        from registry.models import ProductionRecord

        register_four_eyes(ProductionRecord)  # an officer's change of a production record waits for a head

        from registry import desk

        desk.register()
        from signin.models import SecurityEvent

        SecurityEvent.DETAIL_FORMATTERS[SecurityEvent.Action.REGISTRY_MOVEMENT] = _movement_detail


def _movement_detail(detail: str) -> str:
    """ "surrender shanghai" (kind and market code, as the ledger records it) in the reader's language."""
    from mrv.models import Market
    from registry.models import Transaction

    kind, _sep, code = detail.partition(" ")
    try:
        label = Transaction.Kind(kind).label
    except ValueError:
        return detail
    if code not in _MARKETS:  # reference data: one query for all markets, not one per event shown
        _MARKETS.update({m.code: m for m in Market.objects.all()})
    market = _MARKETS.get(code)
    return f"{label} · {market}" if market else str(label)


_MARKETS: dict = {}
