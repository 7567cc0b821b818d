"""Notifications: written in both languages, marked read, and e-mailed once each."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from deadlines.messages import notification_text
from deadlines.models import Notification
from mrv import outbox
from mrv.delivery import deliver_once
from mrv.models import (
    User,
)

DEFAULT_FROM_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)>?\s*$")
EMAIL_TASK = "deadlines.send_notification_emails"


def notify(recipients: Iterable[User], kind: str, params: dict, *, url: str = "") -> list[Notification]:
    """In-app notifications for each recipient, and their emails queued through the outbox."""
    rows = [
        Notification(recipient=u, kind=kind, params=params, url=url) for u in {u.pk: u for u in recipients}.values()
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        outbox.enqueue(EMAIL_TASK, notification_ids=[n.pk for n in created])
    return created


def notify_each(messages: Iterable[tuple[Iterable[User], dict]], kind: str, *, url: str = "") -> list[Notification]:
    """Notifications of one kind with their own parameters (recipients, params) in one INSERT, and their emails
    queued through the outbox in one message: bulk work (the compliance marking's firms)."""
    rows = [
        Notification(recipient=u, kind=kind, params=params, url=url)
        for recipients, params in messages
        for u in {u.pk: u for u in recipients}.values()
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        outbox.enqueue(EMAIL_TASK, notification_ids=[n.pk for n in created])
    return created


def notification_mark_read(*, notification: Notification, acting_user: User) -> None:
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())


def notifications_mark_all_read(*, acting_user: User) -> int:
    return Notification.objects.filter(recipient=acting_user, read_at=None).update(read_at=timezone.now())


def _render_both_languages(name: str, context: dict) -> tuple[str, str, str]:
    parts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            context = {**context, "text": notification_text(context["notification"])}
            parts[language] = [
                render_to_string(f"emails/{name}-{p}.html", context).strip()
                for p in ("subject", "body-text", "body-html")
            ]
    (zh_s, zh_t, zh_h), (en_s, en_t, en_h) = parts["zh-hans"], parts["en"]
    subject = zh_s if zh_s == en_s else f"{zh_s} / {en_s}"
    return " ".join(subject.split()), f"{zh_t}\n\n————\n\n{en_t}", f"{zh_h}\n<hr>\n{en_h}"


def email_template_for(notification: Notification) -> str:
    deadline_kinds = {
        Notification.Kind.DEADLINE_REMINDER,
        Notification.Kind.DEADLINE_OVERDUE,
        Notification.Kind.DEADLINE_ESCALATION,
        Notification.Kind.EXTENSION_GRANTED,
    }
    return "deadline-reminder" if notification.kind in deadline_kinds else "notification"


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, once, even if the worker dies mid-task (mrv/delivery.py)."""
    n = Notification.objects.select_related("recipient").filter(pk=notification_id, emailed_at=None).first()
    if n is None or not n.recipient.email:
        return False
    context = {"notification": n, "recipient": n.recipient, "link": settings.SITE_URL.rstrip("/") + (n.url or "/")}
    subject, text, html = _render_both_languages(email_template_for(n), context)

    def send(delivery_id: str) -> None:
        domain = DEFAULT_FROM_DOMAIN.search(settings.DEFAULT_FROM_EMAIL)
        headers = {"Message-ID": f"<{delivery_id}@{domain.group(1) if domain else 'carbon-mrv.local'}>"}
        message = EmailMultiAlternatives(subject, text, to=[n.recipient.email], headers=headers)
        message.attach_alternative(html, "text/html")
        message.send()

    def stamp() -> None:
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())

    return deliver_once(key=f"notification-email:{n.pk}", recipient=n.recipient.email, send=send, on_delivered=stamp)


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)
