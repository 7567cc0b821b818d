"""Reads of the documents of record: sealed copies with their checks."""


def seals_with_checks(seals) -> list:
    """Each seal with its check (`seal.check`), the live records read in one query per kind."""
    from mrv.records.seals import KINDS, seal_check

    seals = list(seals)
    wanted: dict[str, set[int]] = {}
    for seal in seals:
        wanted.setdefault(seal.kind, set()).add(seal.object_id)
    records = {kind: KINDS[kind].model._default_manager.in_bulk(ids) for kind, ids in wanted.items() if kind in KINDS}
    for seal in seals:
        seal.check = seal_check(seal, records.get(seal.kind, {}).get(seal.object_id))
    return seals


def report_seals(user, report) -> list:
    """The sealed copies of record about a report that `user` may see, newest first, checked."""
    from mrv import access
    from mrv.models import Seal

    seals = access.visible_to(user, Seal).filter(report=report).select_related("signed_by", "document")
    return seals_with_checks(seals.order_by("-signed_at", "-id"))


def recent_chain_checks(limit: int) -> list:
    """The latest checks of the audit chains, newest first."""
    from mrv.models import ChainVerification

    return list(ChainVerification.objects.order_by("-finished_at", "-id")[:limit])
