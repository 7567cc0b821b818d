"""The admin's audit-trail changelist at 1M rows: this product's changelist against Django's stock one.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/admin_changelists.py
It builds a throw-away database (mrv_bench_admin), writes BENCH_AUDIT_ROWS audit rows (default 1,000,000)
with one INSERT … SELECT from generate_series, and times, in the same run, the changelist as the product
serves it (planner-estimated count, filter values from an index walk, a fixed-choice date filter) and as
stock Django would (exact COUNT, SELECT DISTINCT per filter, date hierarchy): best of 5, and the ratio.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The changelist is measured, not the sign-in: password alone, static files from the finders.
os.environ.setdefault("MFA_REQUIRED", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", "1000000"))


def best_ms(func, repeat=5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main():
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "mrv_bench_admin"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def fill():
    from django.contrib.contenttypes.models import ContentType

    from mrv.models import Firm

    content_type = ContentType.objects.get_for_model(Firm).pk
    with connection.cursor() as cursor:
        # A throw-away database: the rows are written without the hash-chain trigger (about 0.7 ms a row), which
        # the changelist does not read; session_replication_role needs the login role (a superuser here).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO mrv_auditlog (at, action, content_type_id, object_id, object_repr, market_id, "
            "from_state, to_state, changes, reason, chain_key, chain_seq, prev_hash, row_hash) "
            "SELECT now() - (g || ' minutes')::interval, "
            "(ARRAY['mrv.report.submitted','mrv.report.verified','mrv.plan.approved','registry.transfer.executed',"
            "'mrv.finding.raised','mrv.report.determined'])[1 + g %% 6], %s, (g %% 10000)::text, 'firm ' || g %% 10000, "
            "(SELECT min(id) FROM mrv_market), '', '', '{}', '', "
            "(SELECT min(id) FROM mrv_market), g, '', md5(g::text) FROM generate_series(1, %s) g",
            [content_type, ROWS],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE mrv_auditlog")


def run():
    from mrv.admin import AuditLogAdmin
    from mrv.models import Authority, User

    start = time.perf_counter()
    fill()
    print(f"{ROWS:,} audit rows written in {time.perf_counter() - start:.1f} s")
    national = Authority.objects.create(name="生态环境部", kind=Authority.Kind.NATIONAL)
    admin_user = User.objects.create_user(
        "bench_admin", password="x", role=User.Role.NATIONAL_ADMIN, authority=national, is_staff=True
    )
    client = Client()
    client.force_login(admin_user)

    def page(query=""):
        response = client.get(f"/admin/mrv/auditlog/{query}")
        assert response.status_code == 200, response.status_code

    cases = [("first page", ""), ("filtered by action", "?action=mrv.plan.approved")]
    if os.environ.get("BENCH_EXPLAIN"):
        from django.test.utils import CaptureQueriesContext

        for _, q in cases:
            with CaptureQueriesContext(connection) as queries:
                page(q)
            for query in queries.captured_queries:
                print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:160]}")
    product = {label: best_ms(lambda q=q: page(q)) for label, q in cases}
    stock = {"paginator": Paginator, "show_full_result_count": True, "list_filter": ["action", "market"]}
    saved = {key: getattr(AuditLogAdmin, key) for key in stock}
    for key, value in stock.items():
        setattr(AuditLogAdmin, key, value)
    AuditLogAdmin.date_hierarchy = "at"
    try:
        baseline = {label: best_ms(lambda q=q: page(q)) for label, q in cases}
    finally:
        for key, value in saved.items():
            setattr(AuditLogAdmin, key, value)
        AuditLogAdmin.date_hierarchy = None
    print(f"{'audit-trail changelist':<34} {'product':>10} {'stock Django':>13} {'product/stock':>14}")
    for label, _ in cases:
        ratio = product[label] / baseline[label]
        print(f"  {label:<32} {product[label]:8.1f} ms {baseline[label]:10.1f} ms {ratio:13.2f}")


if __name__ == "__main__":
    sys.exit(main())
