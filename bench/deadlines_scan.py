"""How long the daily reminder scan takes at national scale, and that a second run only checks.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/deadlines_scan.py
It builds a throw-away database (mrv_bench_deadlines) with BENCH_FIRMS firms (default 5,000) spread
over the nine markets, two firm users each and a regulator per market, then times the reminder scan
on a day when every firm's annual report is 7 days away (each firm gets one reminder), the same scan
again (nothing to send), and the annual roll-over. The outbox rows for the emails are written but
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
ONLY = os.environ.get("BENCH_ONLY", "")  # "rollover" times the roll-over alone
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
    if ONLY != "rollover":
        timed("reminder scan, first run (sends)", lambda: reminders_send_due(today=today))
        timed("reminder scan, second run (nothing to send)", lambda: reminders_send_due(today=today))
    batches = sum(-(-len(rollover_pending(market=m, year=2026)) // ROLLOVER_BATCH) for m in markets)
    timed(f"annual roll-over 2026, first run ({batches} batches)", lambda: rollover_open_year(year=2026))
    timed("annual roll-over 2026, second run", lambda: rollover_open_year(year=2026))
    if ONLY == "rollover":
        return
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = list(Notification.objects.values_list("pk", flat=True)[:200])
    timed("email task, 200 notifications", lambda: notification_emails_send(notification_ids=ids))


if __name__ == "__main__":
    sys.exit(main())
