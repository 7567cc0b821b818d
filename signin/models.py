"""API tokens (stored as a SHA-256 hash) and the append-only record of security events."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApiToken(models.Model):
    """A named, expiring, read- or write-scoped key for the REST API; only its hash is stored."""

    class Scope(models.TextChoices):
        READ = "read", pgettext_lazy("API token scope", "read only")
        WRITE = "write", pgettext_lazy("API token scope", "read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_sha256 = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SecurityEvent(models.Model):
    """One sign-in, sign-out, lock-out, credential change, denial or registry movement. Never changed."""

    class Action(models.TextChoices):
        SIGNIN = "signin", _("sign-in")
        SIGNIN_FAILED = "signin_failed", _("failed sign-in")
        LOCKED_OUT = "locked_out", _("lock-out")
        UNLOCKED = "unlocked", _("unlock")
        SIGNOUT = "signout", _("sign-out")
        SECOND_FACTOR = "second_factor", _("second factor")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("failed second factor")
        STEP_UP = "step_up", _("re-authentication")
        PASSWORD_CHANGED = "password_changed", _("password change")
        MFA_ENROLLED = "mfa_enrolled", _("second factor enrolled")
        MFA_REMOVED = "mfa_removed", _("second factor removed")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        TOKEN_REFUSED = "token_refused", _("API token refused")
        FORBIDDEN = "forbidden", _("access refused (403)")
        NOT_FOUND = "not_found", _("object not found or not visible (404)")
        RATE_LIMITED = "rate_limited", _("rate limited (429)")
        REGISTRY_MOVEMENT = "registry_movement", _("registry movement")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")
        DENIED = "denied", _("denied")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    source_ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    object_ref = models.CharField(_("object"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["source_ip", "action", "at"], name="security_event_burst")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Security events are append-only.")

    #: How other apps show the detail of their events in the reader's language (registered in their ready()).
    DETAIL_FORMATTERS: dict = {}

    def detail_display(self) -> str:
        """The detail in the reader's language where its app says how (the stored text is language-neutral)."""
        formatter = self.DETAIL_FORMATTERS.get(self.action)
        return formatter(self.detail) if formatter else self.detail
