"""API figures, measured over HTTP against gunicorn in the same run as PostgreSQL COPY of the same rows:

- requests per second reading a report (GET /api/v1/reports/{id}/ and its calculation);
- rows per second submitting a year of monthly activity data (12 rows, PUT …/activity-data/, which also
  validates and calculates the report) for N firms, each with its own token, from 8 client threads;
- rows per second pushing the same year for the same N firms as their groups' systems do: firms in groups of
  BENCH_GROUP (default 100) that entrusted one reporter of their group's head office with their data (a
  `DataEntryMandate`), each request carrying BENCH_BATCH reports (default 100) to PUT /reports/activity-data/
  (stored all or nothing, not validated in the request), then reading every report's validation;
- rows per second of `COPY mrv_activitydatarow FROM STDIN` of the same rows, and the ratios (goal ≥ 10 %).

A throw-away database `<name>_bench` is created and dropped. N firms: BENCH_FIRMS (default 1000; the
issue's figure is 10,000: BENCH_FIRMS=10000). gunicorn workers: BENCH_WORKERS (default 4). BENCH_SINGLE=0
skips the one-request-per-firm figure (minutes at 10,000 firms).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mrv_api .venv/bin/python bench/api_ingest.py
"""

import io
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

FIRMS = int(os.environ.get("BENCH_FIRMS", 1000))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
CLIENTS = 8
READS = int(os.environ.get("BENCH_READS", 2000))
GROUP = int(os.environ.get("BENCH_GROUP", 100))
BATCH = int(os.environ.get("BENCH_BATCH", 100))
SINGLE = os.environ.get("BENCH_SINGLE", "1") == "1"
MONTHS = range(1, 13)


def year_rows(i: int) -> list[dict]:
    return [
        {"stream": "coal", "month": m, "activity": str(1000 + i % 97 + m), "ncv": "20.908", "ncv_unit": "GJ/t"}
        for m in MONTHS
    ]


def world():
    """N firms, each with an approved plan (one coal stream), a draft 2025 report, a reporter and a token;
    a second draft per firm for the COPY. Written in bulk: the data, not what is measured."""
    from mrv.credit_code import make_credit_code
    from mrv.models import (
        DataEntryMandate,
        EmissionReport,
        EmissionSource,
        Firm,
        Market,
        MonitoringPlan,
        PlanParameter,
        PlanSourceStream,
        Sector,
        User,
    )
    from signin.models import ApiToken
    from signin.tokens import _digest

    market, sector = Market.objects.get(code="shanghai"), Sector.objects.get(code="power")
    firms = Firm.objects.bulk_create(
        Firm(name=f"B{i}", credit_code=make_credit_code(f"91310000{i:09d}"), market=market, sector=sector)
        for i in range(FIRMS)
    )
    users = User.objects.bulk_create(
        User(username=f"bench{i}", role=User.Role.FIRM_REPORTER, firm=f) for i, f in enumerate(firms)
    )
    sources = EmissionSource.objects.bulk_create(EmissionSource(firm=f, code="boiler", name="boiler") for f in firms)
    plans = MonitoringPlan.objects.bulk_create(
        MonitoringPlan(firm=f, version=1, valid_from="2023-01-01", created_by=u, status="approved")
        for f, u in zip(firms, users, strict=True)
    )
    streams = PlanSourceStream.objects.bulk_create(
        PlanSourceStream(
            plan=p,
            source=s,
            code="coal",
            name="coal",
            method="combustion_carbon_content",
            activity_unit="t",
            fuel_code="raw_coal",
        )
        for p, s in zip(plans, sources, strict=True)
    )
    PlanParameter.objects.bulk_create(
        PlanParameter(stream=s, name=name, unit=unit, source=how, default_value=default, lab_frequency=freq)
        for s in streams
        for name, unit, how, default, freq in (
            ("ncv", "GJ/t", "laboratory", None, "monthly"),
            ("carbon_content", "tC/TJ", "default", "26.37", ""),
            ("oxidation_rate", "%", "default", "94", ""),
        )
    )
    api_reports = EmissionReport.objects.bulk_create(
        EmissionReport(firm=f, market=market, year=2025, period="annual") for f in firms
    )
    copy_reports = EmissionReport.objects.bulk_create(
        EmissionReport(firm=f, market=market, year=2024, period="annual") for f in firms
    )
    batch_reports = EmissionReport.objects.bulk_create(
        EmissionReport(firm=f, market=market, year=2023, period="annual") for f in firms
    )
    # Groups of GROUP firms: the first firm's reporter is entrusted with the data of the others.
    heads = users[::GROUP]
    now = timezone.now()
    DataEntryMandate.objects.bulk_create(
        DataEntryMandate(firm=firm, grantee=heads[i // GROUP], granted_by=users[i], granted_at=now)
        for i, firm in enumerate(firms)
        if i % GROUP
    )
    keys = [secrets.token_urlsafe(32) for _user in users]
    expires = timezone.now() + timedelta(days=1)
    ApiToken.objects.bulk_create(  # as signin.tokens.token_create stores them, in one statement
        ApiToken(user=u, name="bench", scope="write", prefix=k[:8], key_sha256=_digest(k), expires_at=expires)
        for u, k in zip(users, keys, strict=True)
    )
    groups = [[r.pk for r in batch_reports[g : g + GROUP]] for g in range(0, FIRMS, GROUP)]
    return [r.pk for r in api_reports], [r.pk for r in copy_reports], keys, users, groups


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATE_LIMIT_API": "1000000/m,1000000/m",
        "RATE_LIMIT_API_TOKEN": "1000000/m",
        "DEBUG": "false",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE if os.environ.get("BENCH_QUIET", "1") == "1" else None,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/healthz", timeout=30)
            return server, url
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def in_parallel(work, items) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for result in pool.map(work, items):
            if result is not None:
                raise RuntimeError(result)
    return time.perf_counter() - start


def main(database_url: str) -> None:
    started = time.perf_counter()
    api_reports, copy_reports, keys, _users, groups = world()
    print(
        f"setup: {FIRMS} firms, each with a plan, a draft report and a token ({connection.vendor}), "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    server, url = start_server(database_url)
    sessions = {}

    def session(i: int) -> requests.Session:
        thread_key = (i, os.getpid())
        if thread_key not in sessions:
            s = requests.Session()
            s.headers["Authorization"] = f"Token {keys[i]}"
            sessions[thread_key] = s
        return sessions[thread_key]

    def ingest(i: int):
        response = session(i).put(
            f"{url}/api/v1/reports/{api_reports[i]}/activity-data/", json={"rows": year_rows(i)}, timeout=120
        )
        return None if response.status_code == 200 and response.json()["ok"] is not None else response.text[:300]

    def read(n: int, path: str = ""):
        i = n % FIRMS
        response = session(i).get(f"{url}/api/v1/reports/{api_reports[i]}/{path}", timeout=120)
        return None if response.status_code == 200 else response.text[:300]

    def push(group_batch: tuple[int, list[int]]):
        group, report_ids = group_batch
        body = {"reports": [{"report": pk, "rows": year_rows(report_ids_index[pk])} for pk in report_ids]}
        response = session(group * GROUP).put(f"{url}/api/v1/reports/activity-data/", json=body, timeout=300)
        return None if response.status_code == 200 else response.text[:300]

    def validate(n: int):
        group = n // GROUP
        response = session(group * GROUP).get(f"{url}/api/v1/reports/{batch_ids[n]}/validation/", timeout=120)
        return None if response.status_code == 200 else response.text[:300]

    batch_ids = [pk for group in groups for pk in group]
    report_ids_index = {pk: i for i, pk in enumerate(batch_ids)}
    batches = [(g, group[b : b + BATCH]) for g, group in enumerate(groups) for b in range(0, len(group), BATCH)]
    try:
        ingest(0)  # warm every import once before timing
        print(f"API over HTTP: gunicorn {WORKERS} sync workers, {CLIENTS} client threads")
        api_rate = None
        if SINGLE:
            api_seconds = in_parallel(ingest, range(1, FIRMS))
            api_rows = 12 * (FIRMS - 1)
            api_rate = api_rows / api_seconds
            print(
                f"  one request a firm (PUT …/activity-data/, 12 rows, validated and calculated in the request): "
                f"{(FIRMS - 1) / api_seconds:.0f} firms/s = {api_rate:.0f} rows/s ({api_seconds:.1f} s)",
                flush=True,
            )
        push((0, batch_ids[:1]))  # warm the batch path (the same report is written again below)
        batch_seconds = in_parallel(push, batches)
        batch_rate = 12 * FIRMS / batch_seconds
        print(
            f"  groups' systems (PUT /reports/activity-data/, {BATCH} reports of {GROUP}-firm groups a request, "
            f"stored all or nothing): {FIRMS / batch_seconds:.0f} firms/s = {batch_rate:.0f} rows/s "
            f"({batch_seconds:.1f} s, {len(batches)} requests)",
            flush=True,
        )
        validate_seconds = in_parallel(validate, range(FIRMS))
        print(
            f"  then each report's validation (GET …/validation/, calculated): {FIRMS / validate_seconds:.0f} "
            f"reports/s ({validate_seconds:.1f} s); stored and validated: "
            f"{12 * FIRMS / (batch_seconds + validate_seconds):.0f} rows/s",
            flush=True,
        )
        read_seconds = in_parallel(read, range(READS))
        print(f"  read a report (GET /reports/{{id}}/):            {READS / read_seconds:8.0f} requests/s", flush=True)
        calc_seconds = in_parallel(lambda n: read(n, "calculation/"), range(READS // 4))
        print(f"  read its calculation (GET …/calculation/):       {READS // 4 / calc_seconds:8.0f} requests/s")
    finally:
        server.terminate()
        server.wait()

    copy_seconds = copy_same_rows(copy_reports, _users)
    copy_rows = 12 * FIRMS
    copy_rate = copy_rows / copy_seconds
    print(f"PostgreSQL COPY of the same {copy_rows:,} rows: {copy_rate:.0f} rows/s ({copy_seconds:.2f} s)")
    if api_rate is not None:
        print(f"ratio API, one request a firm / COPY: {100 * api_rate / copy_rate:.1f} %")
    print(f"ratio API, groups' batches / COPY: {100 * batch_rate / copy_rate:.1f} % (goal ≥ 10 %)")
    print(
        f"ratio API, groups' batches stored and every report validated / COPY: "
        f"{100 * 12 * FIRMS / (batch_seconds + validate_seconds) / copy_rate:.1f} %"
    )
    print("machine load average (1, 5, 15 min): " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))


def copy_same_rows(report_ids: list[int], users) -> float:
    """COPY the same rows (one year per firm, into its second draft) in one statement, every column written."""
    from mrv.models import ActivityDataRow

    buffer = io.StringIO()
    for i, (report_id, user) in enumerate(zip(report_ids, users, strict=True)):
        for row in year_rows(i):
            values = {"activity": (row["activity"], "t"), "ncv": ("20.908", "GJ/t")}
            cells = [str(report_id), "coal", str(row["month"])]
            for name in ("activity", *ActivityDataRow.PARAMETERS):
                cells += values.get(name, ("\\N", ""))
            buffer.write("\t".join([*cells, str(user.pk), "2025-01-01 00:00:00+00"]) + "\n")
    names = [f"{name}, {name}_unit" for name in ("activity", *ActivityDataRow.PARAMETERS)]
    columns = f"report_id, stream_code, month, {', '.join(names)}, updated_by_id, updated_at"
    buffer.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY mrv_activitydatarow ({columns}) FROM STDIN", buffer)
    return time.perf_counter() - start


if __name__ == "__main__":
    from django.conf import settings

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        sys.exit("bench/api_ingest.py compares with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database")
    db["TEST"]["NAME"] = f"{db['NAME']}_bench"  # never the test database of a running pytest session
    config = setup_databases(verbosity=0, interactive=False, keepdb=False, aliases={"default"})
    bench_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    try:
        main(bench_url)
    finally:
        connections.close_all()
        teardown_databases(config, verbosity=0)
