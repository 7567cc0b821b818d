"""Builders for monitoring plans and report data used by the plan and report tests.

`approved_plan` writes the plan straight to the database in the approved state (the review path
itself is tested in test_plans.py); everything about reports goes through the services.
"""

import datetime
from decimal import Decimal

from mrv.models import EmissionReport, EmissionSource, MonitoringPlan, PlanParameter, PlanSourceStream, User
from tests import factories as f

D = Decimal

COAL = {
    "code": "coal",
    "source": "boiler",
    "method": "combustion_carbon_content",
    "gas": "CO2",
    "unit": "t",
    "fuel": "raw_coal",
    "params": {
        "ncv": ("GJ/t", "laboratory", None),
        "carbon_content": ("tC/TJ", "default", "26.37"),
        "oxidation_rate": ("%", "default", "94"),
    },
}
ELECTRICITY = {
    "code": "power",
    "source": "boiler",
    "method": "purchased_electricity",
    "gas": "CO2",
    "unit": "MWh",
    "params": {},
}


def source(firm, code: str, kind: str = EmissionSource.Kind.FIXED) -> EmissionSource:
    return EmissionSource.objects.get_or_create(firm=firm, code=code, defaults={"name": code, "kind": kind})[0]


def add_streams(plan: MonitoringPlan, streams: list[dict], kinds: dict | None = None) -> None:
    for spec in streams:
        src = source(plan.firm, spec["source"], (kinds or {}).get(spec["source"], EmissionSource.Kind.FIXED))
        stream = PlanSourceStream.objects.create(
            plan=plan,
            source=src,
            code=spec["code"],
            name=spec["code"],
            method=spec["method"],
            gas=spec.get("gas", "CO2"),
            activity_unit=spec["unit"],
            fuel_code=spec.get("fuel", ""),
            **spec.get("extra", {}),  # counterparty, approval_reference, corroborates_measurement
        )
        for name, (unit, how, default) in spec.get("params", {}).items():
            PlanParameter.objects.create(
                stream=stream,
                name=name,
                unit=unit,
                source=how,
                default_value=D(default) if default else None,
                lab_frequency="monthly" if how == "laboratory" else "",
                meter_id="M-1" if how == "meter" else "",
                meter_accuracy_pct=D("0.5") if how == "meter" else None,
            )


def approved_plan(
    firm, streams: list[dict], *, version: int = 1, valid_from=datetime.date(2025, 1, 1), kinds: dict | None = None
) -> MonitoringPlan:
    creator = User.objects.filter(firm=firm).first() or f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm)
    plan = MonitoringPlan.objects.create(firm=firm, version=version, valid_from=valid_from, created_by=creator)
    add_streams(plan, streams, kinds)
    MonitoringPlan.objects.filter(pk=plan.pk).update(status=MonitoringPlan.Status.APPROVED)
    plan.refresh_from_db()
    return plan


def monthly(stream: str, months, **values) -> list[dict]:
    """The same row for each month."""
    return [{"stream": stream, "month": m, **values} for m in months]


def report(firm, year: int = 2025, period: str = "annual") -> EmissionReport:
    return f.ReportFactory(firm=firm, market=firm.market, year=year, period=period)
