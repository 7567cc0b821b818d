"""Demo: deadlines that follow the work. The national power plant's monthly deposits of 2026 (two came
late, one was changed), a request for information on Tianjin's open finding (its response clock waits)
and the national plant's request to extend its 2025 surrender deadline, waiting for the regulator.

Idempotent: each piece is made once, through the product's services.
"""

import datetime

from django.utils import timezone

from mrv.models import ExtensionRequest, Finding, InformationRequest, MonthlyDeposit, User
from mrv.services import clocks, deposits

YEAR = 2026
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Month: (fuel t, NCV GJ/t, carbon content tC/GJ, generated MWh, supplied MWh), days after (+) or before (−) the due date.
MONTHS = {
    1: ("412000", "20.908", "0.02637", "1010000", "955000", -5),
    2: ("371000", "20.751", "0.02641", "902000", "851000", 4),  # late
    3: ("398500", "21.102", "0.02629", "978000", "924000", -12),  # changed below
    4: ("352000", "20.966", "0.02635", "861000", "812000", -3),
    5: ("365800", "20.880", "0.02638", "895000", "846000", 9),  # late
    6: ("420300", "20.915", "0.02636", "1032000", "976000", -1),
    7: ("461000", "20.874", "0.02640", "1135000", "1073000", -20),
    8: ("455200", "20.930", "0.02634", "1118000", "1057000", -8),
    9: ("401700", "20.899", "0.02637", "985000", "931000", -6),
}
FIELDS = ("fuel_consumed_t", "ncv_gj_per_t", "carbon_content_tc_per_gj", "electricity_generated_mwh")


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _deposits() -> None:
    reporter = _u("cn_reporter")
    firm, today = reporter.firm, timezone.localdate()
    done = set(MonthlyDeposit.objects.filter(firm=firm, year=YEAR).values_list("month", flat=True))
    for month, (fuel, ncv, carbon, generated, supplied, offset) in MONTHS.items():
        if month in done or (YEAR, month) >= (today.year, today.month):
            continue
        values = dict(zip(FIELDS, (fuel, ncv, carbon, generated), strict=True)) | {"electricity_supplied_mwh": supplied}
        made = deposits.monthly_deposit_save(
            firm=firm,
            year=YEAR,
            month=month,
            stream_code="unit3-coal",
            values=values,
            evidence=[(f"{YEAR}-{month:02d}-煤质化验报告.pdf", EVIDENCE)],
            acting_user=reporter,
        )
        # The demo's history: when each month was first deposited (the service stamps today).
        on = made.due_date + datetime.timedelta(days=offset)
        MonthlyDeposit.objects.filter(pk=made.pk).update(first_deposited_on=min(on, today))
        if month == 3:
            values["fuel_consumed_t"] = "399100"  # a weighbridge correction after the first deposit
            deposits.monthly_deposit_save(
                firm=firm, year=YEAR, month=month, stream_code="unit3-coal", values=values, acting_user=reporter
            )


def _request_on_a_finding() -> None:
    finding = Finding.objects.filter(report__firm=_u("tj_reporter").firm, status=Finding.Status.OPEN).first()
    if finding is None or InformationRequest.objects.filter(finding=finding).exists():
        return
    clocks.information_request_open(
        finding=finding,
        question="请提供 6 月合成氨装置流量计的校准证书和校准记录。",
        acting_user=_u("verifier"),
    )


def _extension_request() -> None:
    reporter = _u("cn_reporter")
    if ExtensionRequest.objects.filter(firm=reporter.firm, year=2025, kind="compliance").exists():
        return
    clocks.extension_request_submit(
        firm=reporter.firm,
        year=2025,
        kind="compliance",
        reason="3 号机组年底检修，配额交易资金需待 2027 年 1 月到位，申请延期清缴。",
        wanted_due_date=datetime.date(2027, 1, 31),
        acting_user=reporter,
    )


def seed_work_deadlines() -> None:
    _deposits()
    _request_on_a_finding()
    _extension_request()
