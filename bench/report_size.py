"""How saving, validating and submitting an emission report grow with its size.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbon_mrv .venv/bin/python bench/report_size.py
It builds a throw-away database (mrv_bench_reports), gives a firm an approved plan with N coal streams,
and prints, for N = 1, 10, 50 streams × 12 months, the time and number of queries of saving the rows,
of the validation alone, and of the submission (snapshot, calculation, version, audit row).
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


def measured(label, func):
    with count_queries() as queries:
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed * 1000:8.1f} ms {len(queries):5d} queries")
    return result


def main():
    if connection.vendor != "postgresql":
        print("This benchmark needs DATABASE_URL pointing at PostgreSQL.")
        return 1
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "mrv_bench_reports"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for streams in (1, 10, 50):
            run(streams)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    return 0


def run(streams: int):
    from decimal import Decimal

    from mrv.credit_code import make_credit_code
    from mrv.models import EmissionSource, Firm, Market, MonitoringPlan, PlanParameter, PlanSourceStream, Sector, User
    from mrv.services import reports
    from mrv.validation import validate_report

    market = Market.objects.get(code="chongqing")
    firm = Firm.objects.create(
        name=f"基准企业{streams}",
        credit_code=make_credit_code(f"91500000{streams:09d}"),
        market=market,
        sector=Sector.objects.get(code="caustic_soda"),
    )
    user = User.objects.create(username=f"bench{streams}", role=User.Role.FIRM_APPROVER, firm=firm)
    source = EmissionSource.objects.create(firm=firm, code="boiler", name="锅炉")
    plan = MonitoringPlan.objects.create(firm=firm, version=1, valid_from=datetime.date(2025, 1, 1), created_by=user)
    for n in range(streams):
        stream = PlanSourceStream.objects.create(
            plan=plan,
            source=source,
            code=f"coal{n}",
            name="煤",
            fuel_code="raw_coal",
            method="combustion_carbon_content",
            activity_unit="t",
        )
        for name, unit, value in (
            ("ncv", "GJ/t", None),
            ("carbon_content", "tC/TJ", "26.37"),
            ("oxidation_rate", "%", "94"),
        ):
            PlanParameter.objects.create(
                stream=stream,
                name=name,
                unit=unit,
                source="default" if value else "laboratory",
                lab_frequency="monthly",
                default_value=Decimal(value) if value else None,
            )
    MonitoringPlan.objects.filter(pk=plan.pk).update(status="approved")
    report = reports.report_create(firm=firm, year=2025, acting_user=user)
    rows = [
        {"stream": f"coal{n}", "month": m, "activity": "1000", "ncv": "20.908"}
        for n in range(streams)
        for m in range(1, 13)
    ]
    print(f"--- {streams} streams × 12 months = {len(rows)} rows")
    measured(
        "save rows (insert) + validation",
        lambda: reports.report_save_activity_data(report=report, rows=rows, acting_user=user),
    )
    measured(
        "save rows (update) + validation",
        lambda: reports.report_save_activity_data(report=report, rows=rows, acting_user=user),
    )
    checked = measured("validation alone", lambda: validate_report(report))
    version = measured("submission", lambda: reports.report_submit(report=report, acting_user=user))
    print(f"{'reported total':<44} {version.reported_tco2e} tCO2e ({len(checked.lines)} lines)")


if __name__ == "__main__":
    sys.exit(main())
