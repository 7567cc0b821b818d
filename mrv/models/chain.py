"""Hash chains over the append-only records, and the record of each check of them.

Every row of an append-only table carries its position in its market's chain (`chain_key` is the market id,
0 for rows without a market; `chain_seq` counts from 1), the previous row's hash and its own: the SHA-256 of
the previous hash followed by the row's canonical content (PostgreSQL's jsonb text of the row without the two
hash columns: keys in a fixed order, numbers with their column's scale, times in UTC). A trigger fills them
in the inserting transaction, under an advisory lock per chain (migration mrv 0010). On SQLite (the demo)
they stay empty.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sealed(models.Model):
    chain_key = models.BigIntegerField(_("chain"), null=True, blank=True, editable=False)
    chain_seq = models.BigIntegerField(_("position in chain"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        abstract = True


class ChainVerification(models.Model):
    """One check of every chain: rows read, and per chain the first broken row (if any) and the head."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        COMMAND = "command", _("management command")
        PAGE = "page", _("requested on the page")

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), auto_now_add=True)
    trigger = models.CharField(_("run by"), max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ok = models.BooleanField(_("all chains intact"))
    rows_checked = models.PositiveBigIntegerField(_("rows checked"))
    chains = models.JSONField(
        _("chains"),
        default=list,
        help_text=_("Per table and market: rows, head position and hash, the first broken row and why."),
    )

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'BROKEN'}"

    def chains_of(self, market_ids: set[int] | None) -> list[dict]:
        """The chains of these markets (None: all, the national view)."""
        return [c for c in self.chains if market_ids is None or c["market_id"] in market_ids]
