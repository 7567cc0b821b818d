"""The demo runs all nine markets: regulators with two heads, a covered firm with reporter and approver, a
proposed covered-firm list whose extra candidate shows the market's own inclusion rule, and a body refused."""

import pytest

from mrv import demo
from mrv.models import CoverageEntry, CoverageList, Firm, User
from mrv.services import verification

pytestmark = pytest.mark.django_db


def test_the_demo_runs_all_nine_markets_with_their_own_rules():
    demo.seed()
    _people()
    _lists()
    _four_eyes()
    _refused_body()


def _people():
    for code, prefix in demo.PREFIXES.items():
        for suffix, role in (("officer", "regulator_officer"), ("head", "regulator_head"), ("head2", "regulator_head")):
            assert User.objects.get(username=f"{prefix}_{suffix}").role == role
        firm = Firm.objects.get(users__username=f"{prefix}_reporter")
        assert firm.market.code == code
        assert User.objects.get(username=f"{prefix}_approver").firm == firm


def _lists():
    lists = {c.market.code: c for c in CoverageList.objects.select_related("market")}
    assert set(lists) == set(demo.PREFIXES)
    assert all(c.status == CoverageList.Status.PROPOSED for c in lists.values())
    reason = {e.name: (e.covered, e.rule_reason) for e in CoverageEntry.objects.all()}
    assert reason["北京亦庄云计算数据中心有限公司"][0] is False
    assert "2023–2025" in reason["北京亦庄云计算数据中心有限公司"][1]
    assert reason["湖北荆州纸业有限公司"] == (True, reason["湖北荆州纸业有限公司"][1])
    assert "62,000" in reason["湖北荆州纸业有限公司"][1]
    assert reason["广东塔牌集团蕉岭新型建材有限公司"][0] is True  # the new entrant
    assert "2.6" in reason["福建宁德自备电厂有限公司"][1]


def _four_eyes():
    coverage_list = CoverageList.objects.get(market__code="fujian")
    from mrv.services import coverage

    coverage.coverage_list_approve(coverage_list=coverage_list, acting_user=User.objects.get(username="fj_head2"))
    assert coverage_list.status == CoverageList.Status.APPROVED


def _refused_body():
    lone = User.objects.get(username="verifier3_lead").body
    firm = Firm.objects.get(users__username="tj_reporter")
    assert verification.assignment_refusals(lone, firm, 2025)
    cement = Firm.objects.get(users__username="bj_reporter")
    assert verification.assignment_refusals(lone, cement, 2025)
