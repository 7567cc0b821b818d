"""How the scoped list queries hold at national scale: 10,000 firms × 10 years of annual reports.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/access_scale.py
It builds a throw-away database (mrv_bench_access), fills it with bulk inserts, and prints the time of
the first page of each persona's report list (with its count), and whether PostgreSQL uses an index.
"""

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

FIRMS = int(os.environ.get("BENCH_FIRMS", "10000"))
YEARS = int(os.environ.get("BENCH_YEARS", "10"))


def timed(label, func, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:8.1f} ms   ({result})")


def main():
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "mrv_bench_access"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def run():
    from mrv import access
    from mrv.credit_code import make_credit_code
    from mrv.models import (
        Authority,
        EmissionReport,
        Firm,
        Market,
        Sector,
        User,
        VerificationBody,
        VerificationEngagement,
    )

    markets = list(Market.objects.all())
    sectors = list(Sector.objects.all())
    start = time.perf_counter()
    Firm.objects.bulk_create(
        [
            Firm(
                name=f"企业{i}",
                credit_code=make_credit_code(f"91110000{i:09d}"),
                market=markets[i % len(markets)],
                sector=sectors[i % len(sectors)],
            )
            for i in range(FIRMS)
        ],
        batch_size=2000,
    )
    firm_ids = list(Firm.objects.values_list("pk", "market_id"))
    EmissionReport.objects.bulk_create(
        [EmissionReport(firm_id=fid, market_id=mid, year=2016 + y) for fid, mid in firm_ids for y in range(YEARS)],
        batch_size=5000,
    )
    body = VerificationBody.objects.create(
        name="bench body", credit_code=make_credit_code("91110000999999999"), kind="third_party"
    )
    VerificationEngagement.objects.bulk_create(
        [
            VerificationEngagement(firm_id=fid, market_id=mid, year=2025, body=body, status="accepted")
            for fid, mid in firm_ids[::20]
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {FIRMS:,} firms, {FIRMS * YEARS:,} reports in {time.perf_counter() - start:.1f} s")

    shanghai = Market.objects.get(code="shanghai")
    regulator = User.objects.create(
        username="reg",
        role="regulator_officer",
        authority=Authority.objects.create(name="SH", kind="regulator", market=shanghai),
    )
    firm_user = User.objects.create(username="firm", role="firm_reporter", firm_id=firm_ids[0][0])
    verifier = User.objects.create(username="ver", role="lead_verifier", body=body)

    def page(user):
        qs = access.visible_to(user, EmissionReport).select_related("firm").order_by("-year", "firm_id")
        rows = list(qs[:50])
        return f"{qs.count():,} rows, page of {len(rows)}"

    timed("regulator (one market): first page + count", lambda: page(regulator))
    timed("verifier (engaged firm-years): first page + count", lambda: page(verifier))
    timed("firm user (own firm): first page + count", lambda: page(firm_user))
    timed(
        "regulator: firms of the market, page + count", lambda: f"{access.visible_to(regulator, Firm).count():,} firms"
    )
    plan = access.visible_to(regulator, EmissionReport).filter(year=2025, status="draft").explain()
    print("regulator 2025 drafts plan uses an index:", "Index" in plan)


if __name__ == "__main__":
    sys.exit(main())
