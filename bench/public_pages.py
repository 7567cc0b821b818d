"""Anonymous requests per second of a public disclosure page, against a one-query view, in the same run.

Run: source .envrc.sh && .venv/bin/python bench/public_pages.py
It builds a throw-away database (mrv_bench_public), seeds the demo (Shanghai 2024 is published), adds
BENCH_FIRMS covered Shanghai firms (default 2,000) with determined 2024 emissions and publishes them as a
correction, then sends BENCH_REQUESTS anonymous GETs (default 2,000) through Django's test client (the whole
middleware stack, the rate limiter and the cache included; rate limits raised so none answers 429) to
  - /bench/one-query/ (the page benchmark's baseline in bench/baseline_urls.py: one query), and
  - /public/shanghai/2024/ (the market-year page, cached per market-year and language),
and prints requests per second, queries per request and the ratio. The cache is the configured one
(Redis when CACHE_URL or CELERY_BROKER_URL points at it) under a key prefix of this run.
"""

import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402

FIRMS = int(os.environ.get("BENCH_FIRMS", "2000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
PAGE = "/public/shanghai/2024/"
BASELINE = "/bench/one-query/"


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "mrv_bench_public"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    cache = {**settings.CACHES["default"], "KEY_PREFIX": f"bench-{uuid.uuid4().hex}"}
    rates = {"public_pages": "1000000/min", "public_api": "1000000/min"}
    try:
        with override_settings(
            CACHES={"default": cache}, DISCLOSURE_ANON_RATES=rates, ROOT_URLCONF="bench.baseline_urls"
        ):
            prepare()
            run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def prepare() -> None:
    from django.db import transaction

    from disclosure import services
    from mrv import demo
    from mrv.credit_code import make_credit_code
    from mrv.models import EmissionReport, Firm, Market, Sector, User

    demo.seed()
    market = Market.objects.get(code="shanghai")
    sector = Sector.objects.get(code="power")
    firms = Firm.objects.bulk_create(
        Firm(
            name=f"基准测试企业{i:05d}有限公司",
            credit_code=make_credit_code(f"91310000{800000000 + i:09d}"),
            market=market,
            sector=sector,
            covered_since=2020,
        )
        for i in range(FIRMS)
    )
    EmissionReport.objects.bulk_create(
        EmissionReport(
            firm=firm,
            market=market,
            year=2024,
            period=EmissionReport.Period.ANNUAL,
            status=EmissionReport.Status.DETERMINED,
            determined_emissions_tco2e=Decimal(25000 + i),
        )
        for i, firm in enumerate(firms)
    )
    officer, head = User.objects.get(username="sh_officer"), User.objects.get(username="sh_head")
    with transaction.atomic():
        proposal = services.publication_propose(
            market=market, year=2024, note="benchmark: more covered firms", acting_user=officer
        )
    started = time.perf_counter()
    services.publication_publish(publication=proposal, acting_user=head)
    print(f"published Shanghai 2024 with {len(proposal.snapshot['firms']):,} covered firms")
    print(f"propose + publish took {time.perf_counter() - started:.2f} s after the proposal")


def loop(client, url: str) -> tuple[float, float]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(url)
        elapsed = time.perf_counter() - started
    return REQUESTS / elapsed, len(queries) / REQUESTS


def run() -> None:
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    first = client.get(PAGE)
    print(f"first (uncached) {PAGE}: {time.perf_counter() - started:.3f} s, {len(first.content):,} bytes")
    from django.core.cache import cache

    from disclosure import cache_keys

    cache.delete_many(cache_keys.for_market_year("shanghai", 2024, pages=30))
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(PAGE)
    print(f"uncached again (after a publication): {time.perf_counter() - started:.3f} s, {len(queries)} queries")
    one_query, q1 = loop(Client(), BASELINE)
    page, q2 = loop(Client(), PAGE)
    print(f"{BASELINE + ' (one query)':<40} {one_query:10.0f} requests/s  {q1:.2f} queries/request")
    print(f"{PAGE + ' (anonymous)':<40} {page:10.0f} requests/s  {q2:.2f} queries/request")
    print(f"ratio public page / one-query view: {page / one_query:.2f}")


if __name__ == "__main__":
    sys.exit(main())
