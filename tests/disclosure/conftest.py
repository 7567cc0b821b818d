"""Disclosure fixtures: a fresh namespace of the real (Redis) cache per test, and a Shanghai 2024 with
figures to publish, whose confidential and personal fields carry strings that must never be public."""

import uuid
from decimal import Decimal

import pytest

from disclosure import services
from mrv.models import ActivityDataRow, StoredFile
from registry.models import Penalty
from tests import factories as f

D = Decimal
YEAR = 2024

#: Planted in personal and confidential fields; none may appear on a public page, export or endpoint.
SECRETS = {
    "contact_name": "联系人泄露测试甲",
    "contact_phone": "13900009999",
    "contact_email": "leak-contact@example.test",
    "address": "保密地址测试路99号",
    "user_name": "人名泄露测试乙",
    "user_phone": "13811112222",
    "user_email": "leak-user@example.test",
    "activity_unit": "leaked-activity-unit",
    "activity": "98765.4321",
    "evidence_name": "evidence-leak-test.pdf",
    "decision_text": "内部处罚意见泄露测试",
    "unpublished_firm": "未公布企业测试有限公司",
}


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """The real cache backend under a prefix of this test only: cached pages and rate counters start empty."""
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture
def world(firm, other_firm, regulator, regulator_head, shanghai):
    """Two covered Shanghai firms: `firm` determined at 604,780 t with a decided penalty, `other_firm` reported."""
    firm.contact_name, firm.contact_phone = SECRETS["contact_name"], SECRETS["contact_phone"]
    firm.contact_email, firm.address = SECRETS["contact_email"], SECRETS["address"]
    firm.save()
    for user in (regulator, regulator_head):
        user.first_name, user.phone = SECRETS["user_name"], SECRETS["user_phone"]
        user.save()
    reporter = f.UserFactory(username="leaky", first_name=SECRETS["user_name"], email=SECRETS["user_email"])
    report = f.ReportFactory(firm=firm, year=YEAR, status="determined", determined_emissions_tco2e=D(604780))
    f.ReportFactory(firm=other_firm, year=YEAR)
    ActivityDataRow.objects.create(
        report=report,
        stream_code="coal",
        month=1,
        activity=D(SECRETS["activity"]),
        activity_unit=SECRETS["activity_unit"],
        updated_by=reporter,
    )
    from django.contrib.contenttypes.models import ContentType

    StoredFile.objects.create(
        owner_type=ContentType.objects.get_for_model(report),
        owner_id=str(report.pk),
        kind=StoredFile.Kind.EVIDENCE,
        original_name=SECRETS["evidence_name"],
        storage_name=uuid.uuid4().hex,
        content_type="application/pdf",
        size_bytes=1,
        sha256="0" * 64,
        uploaded_by=reporter,
    )
    Penalty.objects.create(
        firm=firm,
        year=YEAR,
        shortfall_tco2e=D(1000),
        fine_cny=D("50000.00"),
        deduction_tco2e=D(2000),
        status=Penalty.Status.DECIDED,
        decision_text=SECRETS["decision_text"],
    )
    # a firm of another market with a report of the same year: Beijing has published nothing
    f.FirmFactory(name=SECRETS["unpublished_firm"], market=f.market("beijing"))
    return {"firm": firm, "other_firm": other_firm, "report": report}


@pytest.fixture
def published(world, shanghai, regulator, regulator_head):
    proposal = services.publication_propose(market=shanghai, year=YEAR, note="", acting_user=regulator)
    return services.publication_publish(publication=proposal, acting_user=regulator_head)
