"""Work to enqueue, written in the same transaction as the change that causes it (transactional outbox)."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("published"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx")
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.task_name} {self.id}"


class DeliveryIntent(models.Model):
    """A side effect outside the database (an e-mail), recorded before it is attempted and stamped after.

    `key` names the effect (e.g. ``notification-email:42``), so that a task handed out again by the broker
    finds it and does not repeat it; `delivery_id` travels with the effect (the e-mail's Message-ID).
    An intent without `delivered_at` whose attempt is long over is *uncertain*: the worker died between
    recording it and stamping it, and the mail server's log (by Message-ID) tells whether it went.
    """

    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("what"), max_length=200, unique=True)
    recipient = models.CharField(_("to"), max_length=254, blank=True)
    attempted_at = models.DateTimeField(_("attempted"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-attempted_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.key} {self.delivery_id}"
