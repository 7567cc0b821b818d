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
        from registry.demo_allocation import seed_allocation_inputs

        demo.register_step(seed_allocation_inputs)
        from registry.demo_offsets import seed_offset_surrenders

        demo.register_step(seed_offset_surrenders)
        from mrv.services.pending_changes import register_four_eyes
        from registry.models import ProductionRecord

        register_four_eyes(ProductionRecord)  # an officer's change of a production record waits for a head

        from registry import desk

        desk.register()
        from signin.models import SecurityEvent

        SecurityEvent.DETAIL_FORMATTERS[SecurityEvent.Action.REGISTRY_MOVEMENT] = _movement_detail

        # The firm-year positions follow determinations and deadline extensions in the same transaction.
        from django.db.models.signals import post_delete, post_save

        from mrv.models import DeadlineExtension, EmissionReport
        from registry.models import ComplianceRecord

        post_save.connect(_report_saved, sender=EmissionReport, dispatch_uid="registry_position_report")
        post_save.connect(_extension_changed, sender=DeadlineExtension, dispatch_uid="registry_position_ext")
        post_delete.connect(_extension_changed, sender=DeadlineExtension, dispatch_uid="registry_position_ext_del")
        post_save.connect(_finding_recorded, sender=ComplianceRecord, dispatch_uid="registry_position_finding")


def _report_saved(sender, instance, **kwargs) -> None:
    """A determined (or re-determined, or closed) annual report: its firm's position is recomputed."""
    from registry import positions

    if instance.period != "annual":
        return
    if instance.determined_emissions_tco2e is None and instance.status not in positions.DETERMINED:
        return
    positions.refresh_firms([instance.firm_id])


def _finding_recorded(sender, instance, created, **kwargs) -> None:
    """A non-compliance finding is part of the firm's position (a year found short stays non-compliant)."""
    from registry import positions

    if created:
        positions.refresh_firms([instance.firm_id])


def _extension_changed(sender, instance, **kwargs) -> None:
    """An extended compliance deadline moves the day the firm's year freezes."""
    from registry import positions

    if instance.kind == "compliance":
        positions.refresh_firms([instance.firm_id])


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
