"""Demo: Shenzhen's quarterly early-warning snapshot of 2025, naming the firm projected to exceed its allocation.

A step of `mrv.demo.STEPS` after the registry's (deadlines' AppConfig registers it after the registry's).
Shenzhen's head approves the draft 2025 allocation table the registry demo computed (four eyes: the officer
computed it), and the third-quarter snapshot is built from the quarterly reports: the bus company's three
quarters of 11,271 t project 45,084 t against its 39,283 t allocation, a 5,801 t shortfall. Idempotent:
an approved table stays approved, and a snapshot is built once.
"""

from deadlines.services import quarterly_snapshot_build
from mrv.models import Market, User
from registry import services as registry_services
from registry.models import AllocationTable

YEAR, QUARTER = 2025, 3


def seed_early_warning() -> None:
    shenzhen = Market.objects.get(code="shenzhen")
    table = AllocationTable.objects.filter(market=shenzhen, year=YEAR, kind=AllocationTable.Kind.PRELIMINARY).first()
    if table is not None and table.status == AllocationTable.Status.DRAFT:
        registry_services.allocation_table_approve(table=table, acting_user=User.objects.get(username="sz_head"))
    quarterly_snapshot_build(market=shenzhen, year=YEAR, quarter=QUARTER)
