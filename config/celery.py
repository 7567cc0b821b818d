"""The Celery app. Broker: CELERY_BROKER_URL (Redis in production); eager when unset.

The beat schedule is static, here in code; run exactly one beat process. Times are Asia/Shanghai
(CELERY_TIMEZONE). Daily jobs are scans that find what is due, so a missed run is caught up by the
next one and a second run changes nothing.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("carbon_mrv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DAY_SECONDS = 24 * 3600
app.conf.beat_schedule = {
    "publish-outbox": {"task": "mrv.publish_outbox", "schedule": 60.0, "options": {"expires": 50}},
    "execute-due-transfers": {
        "task": "registry.execute_due_transfers",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    "open-compliance-year": {
        "task": "deadlines.open_compliance_year",
        "schedule": crontab(hour=0, minute=30),
        "options": {"expires": DAY_SECONDS - 3600},
    },
    "quarterly-work": {
        "task": "deadlines.quarterly_work",
        "schedule": crontab(hour=0, minute=45),
        "options": {"expires": DAY_SECONDS - 3600},
    },
    "send-reminders": {
        "task": "deadlines.send_reminders",
        "schedule": crontab(hour=1, minute=0),
        "options": {"expires": DAY_SECONDS - 3600},
    },
    "draw-spot-checks": {
        "task": "deadlines.draw_spot_checks",
        "schedule": crontab(hour=1, minute=15),
        "options": {"expires": DAY_SECONDS - 3600},
    },
    "verify-chains": {
        "task": "mrv.verify_chains",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": DAY_SECONDS - 3600},
    },
    "purge-idempotency-keys": {
        "task": "mrv.purge_idempotency_keys",
        "schedule": crontab(minute=20),  # hourly: keys live IDEMPOTENCY_KEY_TTL_HOURS (24 h by default)
        "options": {"expires": 3000},
    },
    "mark-non-compliance": {
        "task": "deadlines.mark_non_compliance",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": DAY_SECONDS - 3600},
    },
}
