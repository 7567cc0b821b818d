"""How long a Celery worker takes to issue 1,000 compliance notices (seal + bilingual PDF, stored), with the
progress the job page shows.

Run: source .envrc.sh && .venv/bin/python bench/pdf_bulk.py   (BENCH_NOTICES=1000 by default)
It builds a throw-away database (mrv_bench_pdf) with that many firms in the Shanghai market and one
regulator, starts a real worker (`celery -A config worker --concurrency=1`) on the same database and broker,
starts the bulk run the way the compliance page does (`registry.documents.notices_issue`, queued through the
outbox after commit), polls the job row as the page does and prints the progress it saw, the total time, the
rate, and the PDFs stored. Files go to a temporary MEDIA_ROOT, removed at the end with the database.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
MEDIA = tempfile.mkdtemp(prefix="mrv-bench-pdf-")
os.environ["MEDIA_ROOT"] = MEDIA
os.environ["FILE_STORAGE"] = "local"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

NOTICES = int(os.environ.get("BENCH_NOTICES", "1000"))
DB_NAME = "mrv_bench_pdf"


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DB_NAME
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run(name)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        shutil.rmtree(MEDIA, ignore_errors=True)


def _world():
    from mrv.models import Authority, Firm, Market, Sector, User
    from tests.factories import credit_code

    market = Market.objects.get(code="shanghai")
    sector = Sector.objects.order_by("pk").first()
    Firm.objects.bulk_create(
        Firm(name=f"上海测试企业{i:04d}有限公司", credit_code=credit_code(), market=market, sector=sector)
        for i in range(NOTICES)
    )
    authority = Authority.objects.create(name="上海市生态环境局", kind=Authority.Kind.REGULATOR, market=market)
    regulator = User.objects.create(username="bench-regulator", role=User.Role.REGULATOR_OFFICER, authority=authority)
    return market, regulator


def run(db_name: str) -> int:
    from mrv.models import BackgroundJob, IssuedDocument, Seal
    from registry import documents, selectors

    market, regulator = _world()
    year = 2025
    firms = selectors.covered_firms(market, year).count()
    env = {**os.environ, "DATABASE_URL": _url(db_name), "MEDIA_ROOT": MEDIA, "FILE_STORAGE": "local"}
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--loglevel=warning",
            "-n",
            "bench-pdf@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(MEDIA) / "worker.log", "w"),  # noqa: SIM115
    )
    try:
        start = time.perf_counter()
        with transaction.atomic():
            job = documents.notices_issue(market=market, year=year, kind="compliance", acting_user=regulator)
        seen = []
        started = None
        while True:
            time.sleep(2)
            row = BackgroundJob.objects.get(pk=job.pk)
            elapsed = time.perf_counter() - start
            if started is None and row.status != "queued":
                started = elapsed
            seen.append((round(elapsed), row.progress_done, row.progress_total, row.status))
            if len(seen) % 15 == 1 or row.status in ("done", "failed"):
                print(
                    f"  {elapsed:7.1f} s  {row.status:<8} {row.progress_done or 0:5d} / {row.progress_total or 0:5d}  ({row.percent}%)"
                )
            if row.status in ("done", "failed"):
                break
            if elapsed > 3600:
                print("gave up after an hour")
                return 1
    finally:
        worker.terminate()
        worker.wait(30)
    if row.status != "done":
        print("FAILED:", row.error)
        print((Path(MEDIA) / "worker.log").read_text()[-3000:])
        return 1
    documents_stored = IssuedDocument.objects.filter(seal__kind=Seal.Kind.COMPLIANCE).count()
    size = sum(IssuedDocument.objects.filter(seal__kind=Seal.Kind.COMPLIANCE).values_list("size", flat=True))
    pages = sum(IssuedDocument.objects.filter(seal__kind=Seal.Kind.COMPLIANCE).values_list("pages", flat=True))
    distinct_progress = len({p for _t, p, _n, _s in seen})
    print(f"firms in the market-year                 {firms}")
    print(f"notices sealed and PDFs stored           {documents_stored}  ({pages} pages, {size / 1e6:.1f} MB)")
    print(f"progress values seen while polling       {distinct_progress}")
    working = elapsed - (started or 0)
    print(f"total (queued -> done, one worker)       {elapsed:.1f} s (waiting for the worker {started or 0:.0f} s)")
    print(
        f"rate while running                       {documents_stored / working:.1f} notices/s, {working / documents_stored * 1000:.0f} ms each"
    )
    print(f"load average at the end                  {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


def _url(db_name: str) -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    user = s.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{db_name}"


if __name__ == "__main__":
    sys.exit(main())
