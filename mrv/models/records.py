"""Documents of record: the sealed copy of each legal statement, a firm's repudiation, and the issued PDF.

A `Seal` keeps the canonical text (RFC 8785 JSON, mrv/records/canonical.py) of what was signed, its SHA-256,
the signer, the time and the certification statement they confirmed. Seals and repudiations are append-only
and hash-chained per market like the other records (mrv/security/db_roles.py, migration mrv 0015): the copy
of record cannot be changed without the chain check finding it, and the record it copies is compared with
it every time it is shown (mrv/records/seals.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import Sealed


class Seal(Sealed):
    class Kind(models.TextChoices):
        REPORT_VERSION = "report_version", _("emission report as submitted")
        OPINION = "opinion", _("verification report")
        DETERMINATION = "determination", _("determination notice")
        ALLOCATION = "allocation", _("allocation notice")
        COMPLIANCE = "compliance", _("compliance notice")
        PENALTY = "penalty", _("penalty notice")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    market = models.ForeignKey("mrv.Market", on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    firm = models.ForeignKey("mrv.Firm", on_delete=models.PROTECT, related_name="seals", verbose_name=_("firm"))
    report = models.ForeignKey(
        "mrv.EmissionReport", on_delete=models.PROTECT, null=True, blank=True, related_name="seals"
    )
    year = models.PositiveIntegerField(_("year"))
    canonical = models.TextField(_("canonical content (RFC 8785 JSON)"))
    digest = models.CharField(_("SHA-256 of the canonical content"), max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("sealed at"), auto_now_add=True)
    statement = models.CharField(_("certification statement"), max_length=30, blank=True)
    statement_version = models.CharField(_("statement version"), max_length=20, blank=True)
    statement_language = models.CharField(_("statement language"), max_length=10, blank=True)
    statement_text = models.TextField(_("certification as confirmed"), blank=True)
    reauthenticated_at = models.DateTimeField(_("re-authenticated at"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "year"], name="seal_one_per_record")]
        indexes = [models.Index(fields=["market", "kind", "year"])]
        verbose_name = _("sealed copy of record")
        verbose_name_plural = _("sealed copies of record")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} · {self.digest[:12]}"


class Repudiation(Sealed):
    """A firm's statement that it did not make a submission recorded in its name (the regulator is told)."""

    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="repudiation")
    market = models.ForeignKey("mrv.Market", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why the firm did not make it"))
    repudiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    repudiated_at = models.DateTimeField(_("repudiated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repudiation")
        verbose_name_plural = _("repudiations")

    def __str__(self) -> str:
        return f"{self.seal} repudiated"


class IssuedDocument(models.Model):
    """The official PDF of a seal, rendered once and kept in the file storage (served through access checks)."""

    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="document")
    storage_name = models.CharField(_("stored as"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveIntegerField(_("pages"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self) -> str:
        return self.file_name
