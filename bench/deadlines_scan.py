"""How long the daily reminder scan takes at national scale, and that a second run only checks.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/deadlines_scan.py
It builds a throw-away database (mrv_bench_deadlines) with BENCH_FIRMS firms (default 5,000) spread
over the nine markets, two firm users each and a regulator per market, then times the reminder scan
on a day when every firm's annual report is 7 days away (each firm gets one reminder), the same scan
again (nothing to send), the annual roll-over, and the compliance marking in batches (BENCH_ONLY picks
parts: reminders, rollover, email, marking; BENCH_PROFILE=1 says where the time goes). The outbox rows for the emails are written but
not published (the worker sends emails), so the figures are the scan's own; the email task is timed
separately for 200 notifications (rendering both languages, locmem backend).
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.querycount import count_queries  # noqa: E402

FIRMS = int(os.environ.get("BENCH_FIRMS", "5000"))
# The parts to time, comma-separated (default all): reminders, rollover, email, marking.
ONLY = os.environ.get("BENCH_ONLY", "")
PARTS = set(ONLY.split(",")) if ONLY else {"reminders", "rollover", "email", "marking"}
PROFILE = bool(os.environ.get("BENCH_PROFILE"))  # where the time goes: database (by statement) or Python


def timed(label, func):
    with count_queries() as queries:
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
    print(f"{label:<60} {elapsed:8.2f} s  {len(queries):6d} queries  ({result})")
    if PROFILE:
        in_db = sum(queries.seconds.values())
        print(f"    in the database {in_db:.2f} s, in Python {elapsed - in_db:.2f} s; slowest statements:")
        for kind, calls, seconds in queries.slowest():
            print(f"      {kind:<50} {calls:6d} x  {seconds:8.2f} s")


def main():
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_DB", "mrv_bench_deadlines")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def run():
    from django.conf import settings

    from deadlines.models import Notification
    from deadlines.services import notification_emails_send, reminders_send_due, rollover_open_year
    from deadlines.services.rollover import ROLLOVER_BATCH, rollover_pending
    from mrv import outbox
    from mrv.credit_code import make_credit_code
    from mrv.models import Authority, Firm, Market, Sector, User

    markets = list(Market.objects.all())
    power = Sector.objects.get(code="power")
    Firm.objects.bulk_create(
        [
            Firm(
                name=f"企业{i}",
                credit_code=make_credit_code(f"91110000{i:09d}"),
                market=markets[i % len(markets)],
                sector=power,
            )
            for i in range(FIRMS)
        ],
        batch_size=2000,
    )
    firms = list(Firm.objects.all())
    users = [
        User(username=f"u{f.pk}-{r}", email=f"u{f.pk}-{r}@example.com", role=r, firm=f)
        for f in firms
        for r in ("firm_reporter", "firm_approver")
    ]
    for market in markets:
        authority = Authority.objects.create(name=f"{market.code} authority", kind="regulator", market=market)
        users.append(User(username=f"reg-{market.code}", role="regulator_officer", authority=authority))
    User.objects.bulk_create(users, batch_size=5000)
    print(f"{FIRMS} firms in {len(markets)} markets, {len(users)} users")
    # Most markets' 2025 annual report is due 31 March 2026: 24 March is the 7-day reminder.
    today = datetime.date(2026, 3, 24)
    outbox.publish = lambda message_id: False  # the worker's part, timed below
    if "reminders" in PARTS:
        timed("reminder scan, first run (sends)", lambda: reminders_send_due(today=today))
        timed("reminder scan, second run (nothing to send)", lambda: reminders_send_due(today=today))
    if "rollover" in PARTS:
        batches = sum(-(-len(rollover_pending(market=m, year=2026)) // ROLLOVER_BATCH) for m in markets)
        timed(f"annual roll-over 2026, first run ({batches} batches)", lambda: rollover_open_year(year=2026))
        timed("annual roll-over 2026, second run", lambda: rollover_open_year(year=2026))
    if "email" in PARTS:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        ids = list(Notification.objects.values_list("pk", flat=True)[:200])
        timed("email task, 200 notifications", lambda: notification_emails_send(notification_ids=ids))
    if "marking" in PARTS:
        marking(markets)


def marking(markets):
    """The compliance marking of 2025 after every market's deadline: nine firms in ten determined at 100 t with
    nothing surrendered (non-compliant), the tenth without determined emissions (not marked). Timed as the
    scheduled task does it (the market-years' batches queued, then every batch task run, then run again as a
    redelivery), and each part's statements counted."""
    from decimal import Decimal

    from deadlines.services import compliance_mark_batch, compliance_queue_due
    from deadlines.services.due_work import MARKING_TASK
    from mrv.due_dates import market_due_date
    from mrv.models import DeadlineRule, EmissionReport, Firm, OutboxMessage
    from registry import positions
    from registry.models import ComplianceRecord

    firms = list(Firm.objects.order_by("pk"))
    EmissionReport.objects.bulk_create(
        [
            EmissionReport(
                firm=firm,
                market_id=firm.market_id,
                year=2025,
                period=EmissionReport.Period.ANNUAL,
                status=EmissionReport.Status.DETERMINED,
                determined_emissions_tco2e=Decimal(100),
            )
            for i, firm in enumerate(firms)
            if i % 10
        ],
        batch_size=2000,
    )
    timed("positions rebuilt (set-up)", positions.rebuild_all)
    # Each market the day after its own 2025 compliance deadline.
    days = {m.pk: market_due_date(m, 2025, DeadlineRule.Kind.COMPLIANCE) + datetime.timedelta(days=1) for m in markets}
    timed(
        "compliance marking 2025, queued (market-years)",
        lambda: sum(compliance_queue_due(today=day, market_id=pk) for pk, day in days.items()),
    )
    messages = list(OutboxMessage.objects.filter(task_name=MARKING_TASK).order_by("created_at"))

    def run_batches():
        return sum(
            compliance_mark_batch(
                market_id=m.kwargs["market_id"],
                year=m.kwargs["year"],
                firm_ids=m.kwargs["firm_ids"],
                today=datetime.date.fromisoformat(m.kwargs["today"]),
            )
            for m in messages
        )

    timed(f"compliance marking 2025, {len(messages)} batch tasks (findings)", run_batches)
    timed(f"compliance marking 2025, {len(messages)} batch tasks redelivered", run_batches)
    print(f"{ComplianceRecord.objects.count()} findings for {len(firms)} firms")


if __name__ == "__main__":
    sys.exit(main())
