"""Every main page at national scale, each beside a one-query Django view measured in the same run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/pages.py
It builds a throw-away database (mrv_bench_pages) holding the national market with BENCH_FIRMS covered firms
(default 10,000) × BENCH_YEARS compliance years (default 10): an annual report per firm-year (determined
in past years, spread over the workflow's states in the last), approved determinations, a holding account
per firm with each year's allocation and surrender in the ledger, and engagements of one verification body.
Then, in-process through Django's test client (middleware, sessions, templates: the whole request), it times
each page BENCH_RUNS times (default 15) and prints the median and p95, the requests per second of one
process, the number of queries, and the baseline's figures with the share (baseline time / page time).

With BENCH_HTTP=1 it then serves the same database with gunicorn (BENCH_WORKERS sync workers, default 2) and
loads each page and the one-query view from BENCH_CONNECTIONS client threads (default 16) for BENCH_SECONDS
(default 8) each, signed in as the page's user: requests per second, median and p95 latency, and the share
(page's requests per second / baseline's). The client threads run on the same machine as the server.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# Static files from the finders (no collectstatic needed) and sign-in by password alone, as in the tests:
# the pages are measured, not the second factor.
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("MFA_REQUIRED", "false")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from bench.querycount import count_queries  # noqa: E402

FIRMS = int(os.environ.get("BENCH_FIRMS", "10000"))
YEARS = int(os.environ.get("BENCH_YEARS", "10"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
LAST_YEAR = 2025
FIRST_YEAR = LAST_YEAR - YEARS + 1
LAST_STATES = ["draft", "submitted", "under_verification", "verified", "regulator_review", "determination_proposed"]


def main():
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    # No setup_test_environment(): it instruments template rendering for test assertions and would
    # add that cost to every page.
    # BENCH_DB names the throw-away database, so that two runs on one server do not collide.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_DB", "mrv_bench_pages")
    # BENCH_KEEP=1 keeps the database after the run and measures a kept one again without filling it.
    keep = os.environ.get("BENCH_KEEP") == "1"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=not keep, keepdb=keep)
    try:
        with override_settings(ROOT_URLCONF="bench.baseline_urls", DEBUG=False):
            run()
    finally:
        if not keep:
            connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def fill():
    from mrv.credit_code import make_credit_code
    from mrv.models import (
        Authority,
        Determination,
        EmissionReport,
        Firm,
        Market,
        Sector,
        User,
        VerificationBody,
        VerificationEngagement,
    )
    from registry.ledger import government_account
    from registry.models import ALLOWANCE, Account, Entry, Transaction

    market = Market.objects.get(code="national")
    power = Sector.objects.get(code="power")
    authority = Authority.objects.create(name="生态环境部应对气候变化司", kind=Authority.Kind.REGULATOR, market=market)
    regulator = User.objects.create_user("reg", role=User.Role.REGULATOR_OFFICER, authority=authority, is_staff=True)
    firms = Firm.objects.bulk_create(
        [
            Firm(name=f"发电企业{i}", credit_code=make_credit_code(f"91110000{i:09d}"), market=market, sector=power)
            for i in range(FIRMS)
        ],
        batch_size=5000,
    )
    firm_user = User.objects.create_user("firm", role=User.Role.FIRM_REPORTER, firm=firms[0])
    body = VerificationBody.objects.create(name="核查机构", credit_code=make_credit_code("91110000999999999"))
    verifier = User.objects.create_user("ver", role=User.Role.LEAD_VERIFIER, body=body)

    reports = []
    for n, firm in enumerate(firms):
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            status = "determined" if year < LAST_YEAR else LAST_STATES[n % len(LAST_STATES)]
            emissions = 50000 + n % 1000
            reports.append(
                EmissionReport(
                    firm=firm,
                    market=market,
                    year=year,
                    status=status,
                    reported_emissions_tco2e=emissions,
                    # as the approved determination sets it: the firm-year's obligation in the positions
                    determined_emissions_tco2e=emissions if status == "determined" else None,
                )
            )
    EmissionReport.objects.bulk_create(reports, batch_size=10000)
    Determination.objects.bulk_create(
        [
            Determination(
                report=r,
                basis="verified_figure",
                emissions_tco2e=r.reported_emissions_tco2e,
                from_state="regulator_review",
                proposed_by=regulator,
                decision="approved",
                decided_by=regulator,
            )
            for r in reports
            if r.status == "determined"
        ],
        batch_size=10000,
    )
    VerificationEngagement.objects.bulk_create(
        [
            VerificationEngagement(firm=firm, market=market, year=LAST_YEAR, body=body, status="accepted")
            for firm in firms[::20]
        ],
        batch_size=5000,
    )

    issuance = government_account(market, Account.Kind.ISSUANCE)
    retirement = government_account(market, Account.Kind.RETIREMENT)
    accounts = Account.objects.bulk_create(
        [Account(market=market, firm=f, kind=Account.Kind.HOLDING, number=f"N-{f.pk}") for f in firms],
        batch_size=5000,
    )
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        tx = Transaction.objects.create(market=market, kind="issuance", idempotency_key=f"alloc:{year}")
        entries = [
            Entry(transaction=tx, account=a, unit_type=ALLOWANCE, vintage=year, quantity=50500) for a in accounts
        ]
        entries.append(
            Entry(transaction=tx, account=issuance, unit_type=ALLOWANCE, vintage=year, quantity=-50500 * len(accounts))
        )
        Entry.objects.bulk_create(entries, batch_size=10000)
        if year == LAST_YEAR:
            continue
        surrenders = Transaction.objects.bulk_create(
            [
                Transaction(
                    market=market,
                    kind="surrender",
                    firm=a.firm,
                    compliance_year=year,
                    idempotency_key=f"s:{year}:{a.pk}",
                )
                for a in accounts
            ],
            batch_size=5000,
        )
        quantity = 50000
        Entry.objects.bulk_create(
            [
                e
                for t, a in zip(surrenders, accounts, strict=True)
                for e in (
                    Entry(transaction=t, account=a, unit_type=ALLOWANCE, vintage=year, quantity=-quantity),
                    Entry(transaction=t, account=retirement, unit_type=ALLOWANCE, vintage=year, quantity=quantity),
                )
            ],
            batch_size=10000,
        )
    # The firm-year positions, as the services keep them in step with the ledger written directly above.
    from registry import positions

    positions.rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    last_report = EmissionReport.objects.get(firm=firms[0], year=LAST_YEAR)
    return {"regulator": regulator, "firm": firm_user, "verifier": verifier}, accounts[0], last_report


def measure(client, url):
    response = client.get(url)
    if response.status_code != 200:
        return None, response.status_code
    with count_queries() as queries:
        client.get(url)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return (statistics.median(times) * 1000, p95 * 1000, len(queries)), 200


def kept():
    """The users, account and report of a database a previous run kept (BENCH_KEEP=1), or None."""
    from mrv.models import EmissionReport, User
    from registry.models import Account

    users = {role: User.objects.filter(username=name).first() for role, name in USERNAMES.items()}
    if users["firm"] is None:
        return None
    account = Account.objects.get(firm=users["firm"].firm, kind=Account.Kind.HOLDING)
    return users, account, EmissionReport.objects.get(firm=users["firm"].firm, year=LAST_YEAR, period="annual")


USERNAMES = {"regulator": "reg", "firm": "firm", "verifier": "ver"}


def run():
    start = time.perf_counter()
    users, account, report = kept() or fill()
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum keeps them in production
        cursor.execute("ANALYZE")
    print(f"national market: {FIRMS:,} firms × {YEARS} years filled in {time.perf_counter() - start:.0f} s")
    pages = [
        ("regulator home", "regulator", "/"),
        ("regulator market overview", "regulator", "/market/"),
        ("regulator report list", "regulator", "/reports/"),
        ("regulator statistics", "regulator", f"/registry/statistics/?year={LAST_YEAR - 1}"),
        ("regulator compliance", "regulator", f"/registry/compliance/?year={LAST_YEAR - 1}"),
        ("firm home", "firm", "/"),
        ("firm report list", "firm", "/reports/"),
        ("firm report detail", "firm", f"/reports/{report.pk}/"),
        ("firm registry holdings", "firm", f"/registry/accounts/{account.pk}/"),
        ("verifier home", "verifier", "/"),
        ("verifier engagements", "verifier", "/engagements/"),
    ]
    # BENCH_PAGES (comma-separated words) keeps only the pages whose label holds one of them.
    only = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
    if only:
        pages = [p for p in pages if any(w in p[0] for w in only)]
    clients = {}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    print(f"{'page':<30} {'median':>9} {'p95':>9} {'req/s':>7} {'queries':>8} {'baseline':>9} {'share':>7}")
    for label, role, url in pages:
        client = clients[role]
        baseline, _status = measure(client, "/bench/one-query/")
        figures, status = measure(client, url)
        if figures is None:
            print(f"{label:<30} answered {status}")
            continue
        median, p95, queries = figures
        share = baseline[0] / median * 100
        print(
            f"{label:<30} {median:7.1f}ms {p95:7.1f}ms {1000 / median:7.1f} {queries:8d} {baseline[0]:7.1f}ms {share:6.1f}%"
        )
    if os.environ.get("BENCH_HTTP") == "1":
        over_http(pages, clients)


def over_http(pages, clients):
    """Each page and the one-query view through gunicorn from many connections (see the module docstring)."""
    import socket
    import subprocess
    import threading

    import requests

    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "MFA_REQUIRED": "false",
        "RATE_LIMIT_API": "1000000/m,1000000/m",
    }
    server = subprocess.Popen(
        [str(root / ".venv/bin/gunicorn"), "bench.wsgi_baseline", "-w", str(workers), "-b", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=30)
                break
            except requests.RequestException:
                time.sleep(0.2)
        cookies = {role: client.cookies["sessionid"].value for role, client in clients.items()}

        def load(role, path):
            times, errors, stop = [], [], time.perf_counter() + seconds
            lock = threading.Lock()

            def worker():
                session = requests.Session()
                session.cookies.set("sessionid", cookies[role])
                while time.perf_counter() < stop:
                    started = time.perf_counter()
                    response = session.get(base + path, timeout=120, allow_redirects=False)
                    took = time.perf_counter() - started
                    with lock:
                        (times if response.status_code == 200 else errors).append(took)

            threads = [threading.Thread(target=worker) for _ in range(connections)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            times.sort()
            if not times:
                return None
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            return len(times) / elapsed, statistics.median(times) * 1000, p95 * 1000, len(errors)

        print(f"over HTTP: gunicorn {workers} sync workers, {connections} connections, {seconds:.0f} s a page")
        print(f"{'page':<30} {'req/s':>8} {'median':>9} {'p95':>9} {'baseline req/s':>15} {'share':>7}")
        for label, role, path in pages:
            warm = requests.Session()
            warm.cookies.set("sessionid", cookies[role])
            for _ in range(2 * workers):  # warm each worker's caches for this page
                warm.get(base + path, timeout=120, allow_redirects=False)
            baseline = load(role, "/bench/one-query/")
            figures = load(role, path)
            if figures is None or baseline is None:
                print(f"{label:<30} no answer 200")
                continue
            rate, median, p95, errors = figures
            share = rate / baseline[0] * 100
            note = f"  ({errors} not 200)" if errors else ""
            print(f"{label:<30} {rate:8.1f} {median:7.1f}ms {p95:7.1f}ms {baseline[0]:15.1f} {share:6.1f}%{note}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
