"""Idempotency keys of the REST API: the first successful response to a (user, key) is kept and replayed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` a user sent with a POST that creates or moves something, and what it answered.

    The row is written in the same transaction as the change, so a key either names a committed change
    (and its stored response) or nothing; a concurrent request with the same key waits on the unique index.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"

    @staticmethod
    def expired_before() -> datetime:
        """Keys created before this moment have expired (`settings.IDEMPOTENCY_KEY_TTL_HOURS`): a retry with one
        is a new request, and the periodic clean-up (`mrv.purge_idempotency_keys`) deletes them."""
        return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)

    @classmethod
    def claim(cls, *, user, key: str, method: str, path: str, request_sha256: str) -> tuple["IdempotencyRecord", bool]:
        """The key's row and whether it is new: a new row claims the key for this request (inside the caller's
        transaction), an existing one is the earlier request's. An expired earlier use is forgotten first."""
        cls.objects.filter(user=user, key=key, created_at__lt=cls.expired_before()).delete()
        try:
            with transaction.atomic():
                made = cls.objects.create(
                    user=user, key=key, method=method, path=path[:500], request_sha256=request_sha256
                )
                return made, True
        except IntegrityError:
            return cls.objects.get(user=user, key=key), False

    def answered(self, *, status_code: int, body, headers: dict) -> None:
        """Keep the response to replay for the same key and body."""
        type(self).objects.filter(pk=self.pk).update(
            status_code=status_code, response_body=body, response_headers=headers
        )

    @classmethod
    def purge_expired(cls, *, batch: int = 5000) -> int:
        """Delete every expired key, `batch` rows a statement (no long lock on a large table); returns how many."""
        cutoff, deleted = cls.expired_before(), 0
        while True:
            pks = list(cls.objects.filter(created_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                return deleted
            deleted += cls.objects.filter(pk__in=pks).delete()[0]
