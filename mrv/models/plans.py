"""Monitoring plans: a firm's versioned description of how it measures its emissions.

A plan version goes draft → submitted → (third-party checked, where the market requires it) →
approved, or is returned with reasons at each review step and resubmitted. An approved version
never changes: a change is a new version, in force from its `valid_from` date once approved. The
version in force on a date is the approved one with the latest `valid_from` on or before it (the
higher version number breaks a tie).
"""

import datetime
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from mrv import calculation
from mrv.workflow import facts as F
from mrv.workflow import plans as rules
from mrv.workflow.facts import facts

from .organisations import EmissionSource, Firm, VerificationBody

PLAN_LOCKED = _("Plan version %(version)s is “%(state)s” and can no longer be changed; start a new version instead.")
METHOD_LABELS = {
    calculation.Method.COMBUSTION_CARBON_CONTENT: _("combustion carbon content"),
    calculation.Method.EMISSION_FACTOR: pgettext_lazy("calculation method", "emission factor"),
    calculation.Method.PROCESS: pgettext_lazy("calculation method", "process"),
    calculation.Method.PURCHASED_ELECTRICITY: _("purchased electricity"),
    calculation.Method.PURCHASED_HEAT: _("purchased heat"),
    calculation.Method.EXPORTED_ELECTRICITY: _("exported electricity"),
    calculation.Method.EXPORTED_HEAT: _("exported heat"),
}
METHOD_CHOICES = [(m.value, METHOD_LABELS[m]) for m in calculation.Method]
FUEL_CHOICES = [(code, f"{fuel.name_zh} {fuel.name_en}") for code, fuel in calculation.FUELS.items()]
GAS_SPECIES_CHOICES = [(s, s) for s in sorted(calculation.SPECIES)]


class MonitoringPlanQuerySet(models.QuerySet):
    def in_force(self, firm: Firm, on_date: datetime.date) -> "MonitoringPlan | None":
        """The approved version with the latest valid_from on or before `on_date`, or None."""
        return (
            self.filter(firm=firm, status=MonitoringPlan.Status.APPROVED, valid_from__lte=on_date)
            .order_by("-valid_from", "-version")
            .first()
        )


class MonitoringPlan(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        THIRD_PARTY_CHECKED = "third_party_checked", _("checked by a third party")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned to the firm")

    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="plans", verbose_name=_("firm"))
    version = models.PositiveIntegerField(_("version"))
    status = FSMField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, protected=True)
    valid_from = models.DateField(_("valid from"))
    data_management_notes = models.TextField(_("data management and quality control"), blank=True)
    check_body = models.ForeignKey(
        VerificationBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checked_plans",
        verbose_name=_("third party checking the plan"),
        help_text=_("Only where the market requires a third-party check of the plan (Tianjin)."),
    )
    return_reason = models.TextField(_("reasons for the return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = MonitoringPlanQuerySet.as_manager()

    class Meta:
        ordering = ["firm", "-version"]
        constraints = [models.UniqueConstraint(fields=["firm", "version"], name="plan_version_unique_per_firm")]
        indexes = [models.Index(fields=["firm", "status", "valid_from"])]
        verbose_name = _("monitoring plan")
        verbose_name_plural = _("monitoring plans")

    def __str__(self) -> str:
        return f"{self.firm} · v{self.version}"

    def save(self, *args, **kwargs):
        """An approved version is immutable, even past the services (the admin, a shell)."""
        if getattr(self, "_stored_status", None) == self.Status.APPROVED:
            raise ValidationError(
                PLAN_LOCKED % {"version": self.version, "state": self.get_status_display()}, code="not_editable"
            )
        super().save(*args, **kwargs)
        self._stored_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        plan = super().from_db(db, field_names, values)
        plan._stored_status = plan.__dict__.get("status")
        return plan

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(
                PLAN_LOCKED % {"version": self.version, "state": self.get_status_display()}, code="not_editable"
            )

    def rule_pack(self):
        return self.firm.market.rule_pack_for(self.valid_from.year)

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=rules.is_firm_approver,
        custom=facts(
            label=pgettext_lazy("audit action", "submitted"),
            notify=(F.PLAN_CHECKERS,),
            message=_("%(subject)s was submitted; please check it."),
        ),
    )
    def submit(self, *, when: datetime.datetime) -> None:
        """A firm approver submits the draft (or the corrected returned version) for review."""
        self.submitted_at = when
        self.return_reason = ""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.THIRD_PARTY_CHECKED,
        conditions=[rules.needs_third_party_check],
        permission=rules.is_checking_verifier,
        custom=facts(
            label=pgettext_lazy("audit action", "checked by the third party"),
            notify=(F.OFFICERS,),
            message=_("%(subject)s was checked by the third party; please review it."),
        ),
    )
    def check_by_third_party(self) -> None:
        """The chosen registered verification body confirms the plan (where the market requires it)."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.APPROVED,
        conditions=[rules.no_third_party_check_needed],
        permission=rules.is_plan_regulator,
    )
    @transition(
        field=status,
        source=Status.THIRD_PARTY_CHECKED,
        target=Status.APPROVED,
        permission=rules.is_plan_regulator,
        custom=facts(
            label=pgettext_lazy("audit action", "approved"), notify=(F.FIRM,), message=_("%(subject)s was approved.")
        ),
    )
    def approve(self, *, when: datetime.datetime) -> None:
        """The market's regulator approves; from then on this version is immutable."""
        self.approved_at = when

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.THIRD_PARTY_CHECKED],
        target=Status.RETURNED,
        permission=rules.may_return_plan,
        custom=facts(
            label=pgettext_lazy("audit action", "returned to the firm"),
            notify=(F.FIRM,),
            message=_("%(subject)s was returned to you; please correct it."),
        ),
    )
    def return_to_firm(self, *, reasons: str) -> None:
        """The reviewer at the current step sends the plan back with reasons."""
        self.return_reason = reasons


class EditableWithPlan(models.Model):
    """A part of a plan version: saved or deleted only while the version is editable."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._plan().ensure_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._plan().ensure_editable()
        return super().delete(*args, **kwargs)

    def _plan(self) -> MonitoringPlan:
        raise NotImplementedError


class PlanSourceStream(EditableWithPlan):
    """A fuel or material of one emission source, with its gas and calculation method."""

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.CASCADE, related_name="streams")
    source = models.ForeignKey(EmissionSource, on_delete=models.PROTECT, related_name="+", verbose_name=_("source"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    fuel_code = models.CharField(_("fuel"), max_length=40, choices=FUEL_CHOICES, blank=True)
    method = models.CharField(_("calculation method"), max_length=40, choices=METHOD_CHOICES)
    gas = models.CharField(_("gas"), max_length=20, choices=GAS_SPECIES_CHOICES, default="CO2")
    activity_unit = models.CharField(_("activity data unit"), max_length=20)

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_stream_code_unique")]
        verbose_name = _("source stream")
        verbose_name_plural = _("source streams")

    def __str__(self) -> str:
        return f"{self.code} ({self.gas}, {self.method})"

    def _plan(self) -> MonitoringPlan:
        return self.plan

    @property
    def method_enum(self) -> calculation.Method:
        return calculation.Method(self.method)


class PlanParameter(EditableWithPlan):
    """Where one parameter of a source stream comes from: a default value, a laboratory or a meter."""

    class Name(models.TextChoices):
        ACTIVITY = "activity", _("activity data")
        NCV = "ncv", _("net calorific value")
        CARBON_CONTENT = "carbon_content", _("carbon content")
        OXIDATION_RATE = "oxidation_rate", _("oxidation rate")
        EMISSION_FACTOR = "emission_factor", _("emission factor")

    class Source(models.TextChoices):
        DEFAULT = "default", _("default value")
        LABORATORY = "laboratory", _("laboratory analysis")
        METER = "meter", _("meter")

    stream = models.ForeignKey(PlanSourceStream, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(_("parameter"), max_length=20, choices=Name.choices)
    unit = models.CharField(_("unit"), max_length=20)
    source = models.CharField(_("determined by"), max_length=12, choices=Source.choices)
    default_value = models.DecimalField(_("default value"), max_digits=20, decimal_places=8, null=True, blank=True)
    lab_frequency = models.CharField(_("analysis frequency"), max_length=60, blank=True)
    meter_id = models.CharField(_("meter id"), max_length=60, blank=True)
    meter_accuracy_pct = models.DecimalField(
        _("meter accuracy (± %)"), max_digits=6, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["stream", "name"]
        constraints = [models.UniqueConstraint(fields=["stream", "name"], name="plan_parameter_unique")]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return f"{self.stream.code}.{self.name} [{self.unit}] ({self.source})"

    def _plan(self) -> MonitoringPlan:
        return self.stream.plan


def _attachment_path(instance: "PlanAttachment", filename: str) -> str:
    """A random name, so nothing about the firm or the original file name leaks into the path."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"plans/{uuid.uuid4().hex}{extension}"


class PlanAttachment(EditableWithPlan):
    plan = models.ForeignKey(MonitoringPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "uploaded_at"]
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")

    def __str__(self) -> str:
        return self.original_name

    def _plan(self) -> MonitoringPlan:
        return self.plan
