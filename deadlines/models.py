"""Reminders sent once, in-app notifications, and the quarterly early warning."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from deadlines.messages import NotificationKind, notification_text
from mrv.models import DeadlineExtension, DeadlineRule, Firm, Market  # noqa: F401 (DeadlineExtension moved to mrv)
from mrv.models.clocks import ALL_DEADLINE_KINDS


class Reminder(models.Model):
    """A reminder, overdue notice or escalation that has been sent: the row is what makes it happen once."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("reminder before the due date")
        OVERDUE = "overdue", _("overdue notice")
        ESCALATION = "escalation", _("escalation to the regulator")

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("firm"))
    year = models.PositiveIntegerField(_("compliance year"))
    kind = models.CharField(_("deadline"), max_length=20, choices=ALL_DEADLINE_KINDS)
    due_date = models.DateField(_("due date"))
    offset_days = models.SmallIntegerField(_("days before the due date"), help_text=_("0 after the due date"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.BEFORE)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    batch = models.UUIDField(_("sent in run"), db_index=True, editable=False, help_text=_("the scan that sent it"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "year", "kind", "due_date", "offset_days", "stage"], name="reminder_sent_once"
            )
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.firm} {self.get_kind_display()} {self.due_date} −{self.offset_days} {self.stage}"


class Notification(models.Model):
    """An in-app message to one person (the bell); also sent by email once."""

    Kind = NotificationKind  # with the sentences each kind says, in deadlines/messages.py

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return notification_text(self)


class DueWorkDone(models.Model):
    """A piece of periodic work done for a market and period (roll-over, draw, marking): done once."""

    class Job(models.TextChoices):
        SPOT_CHECK_DRAW = "spot_check_draw", _("spot-check draw")
        COMPLIANCE_MARKING = "compliance_marking", _("non-compliance marking")

    job = models.CharField(_("job"), max_length=30, choices=Job.choices)
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    period = models.CharField(_("period"), max_length=6, blank=True)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        ordering = ["-done_at"]
        constraints = [models.UniqueConstraint(fields=["job", "market", "year", "period"], name="due_work_once")]
        verbose_name = _("periodic work done")
        verbose_name_plural = _("periodic work done")

    def __str__(self) -> str:
        return f"{self.job} {self.market.code} {self.year} {self.period}"


class QuarterlySnapshot(models.Model):
    """The regulator's view after a quarter: emissions by sector so far, and who is heading for a shortfall."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    year = models.PositiveIntegerField(_("compliance year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    emissions_by_sector = models.JSONField(
        _("emissions so far by sector (tCO2e)"), default=dict, encoder=DjangoJSONEncoder
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "market"]
        constraints = [models.UniqueConstraint(fields=["market", "year", "quarter"], name="snapshot_one_per_quarter")]
        verbose_name = _("quarterly snapshot")
        verbose_name_plural = _("quarterly snapshots")

    def __str__(self) -> str:
        return f"{self.market.code} {self.year} Q{self.quarter}"


class EarlyWarning(models.Model):
    """One firm's projection in a quarterly snapshot: projected annual emissions against its allocation."""

    snapshot = models.ForeignKey(QuarterlySnapshot, on_delete=models.CASCADE, related_name="warnings")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm"))
    emissions_so_far_tco2e = models.DecimalField(_("emissions so far (tCO2e)"), max_digits=14, decimal_places=0)
    share_so_far = models.DecimalField(_("share of the year so far"), max_digits=7, decimal_places=6)
    seasonally_adjusted = models.BooleanField(_("seasonally adjusted by the firm's previous years"))
    projected_tco2e = models.DecimalField(_("projected annual emissions (tCO2e)"), max_digits=14, decimal_places=0)
    allocation_tco2e = models.DecimalField(
        _("allocation (tCO2e)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    shortfall_tco2e = models.DecimalField(_("projected shortfall (tCO2e)"), max_digits=14, decimal_places=0, default=0)

    class Meta:
        ordering = ["-shortfall_tco2e", "firm"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "firm"], name="warning_one_per_firm")]
        indexes = [models.Index(fields=["snapshot", "shortfall_tco2e"])]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")

    def __str__(self) -> str:
        return f"{self.snapshot} {self.firm}: {self.shortfall_tco2e}"


class WorkflowNotice(models.Model):
    """The notices of one workflow event's follow-up message were sent: the row makes a redelivery a no-op."""

    message_id = models.UUIDField(_("outbox message"), unique=True, editable=False)
    event = models.CharField(_("event"), max_length=80)
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workflow notice")
        verbose_name_plural = _("workflow notices")

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"
