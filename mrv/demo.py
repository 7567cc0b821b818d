"""Demo organisations and people in several markets with different rules (`manage.py seed_demo`).

Idempotent: every object is found by a natural key first, so running it twice changes nothing.
"""

from decimal import Decimal

from django.db import transaction

from mrv.credit_code import make_credit_code
from mrv.models import (
    Authority,
    EmissionSource,
    Firm,
    FirmYearFigure,
    Market,
    Sector,
    User,
    VerificationBody,
    VerifierQualification,
    VerifierRegistration,
)

DEMO_PASSWORD = "demo-2026!"

REGIONS = {
    "shanghai": "310000",
    "shenzhen": "440300",
    "tianjin": "120000",
    "chongqing": "500000",
    "beijing": "110000",
    "hubei": "420000",
    "guangdong": "440000",
    "fujian": "350000",
    "national": "100000",
}
PREFIXES = {
    "shanghai": "sh",
    "shenzhen": "sz",
    "tianjin": "tj",
    "chongqing": "cq",
    "beijing": "bj",
    "hubei": "hb",
    "guangdong": "gd",
    "fujian": "fj",
    "national": "cn",
}

AUTHORITIES = {
    "shanghai": "上海市生态环境局",
    "shenzhen": "深圳市生态环境局",
    "tianjin": "天津市生态环境局",
    "chongqing": "重庆市生态环境局",
    "beijing": "北京市生态环境局",
    "hubei": "湖北省生态环境厅",
    "guangdong": "广东省生态环境厅",
    "fujian": "福建省生态环境厅",
    "national": "生态环境部全国碳市场管理处",
}

# market, prefix, firm name, sector, sources [(code, name, kind)], emissions of the last three years
FIRMS = [
    (
        "shanghai",
        "sh",
        "上海申能临港燃机发电有限公司",
        "power",
        [("gt1", "1号燃气轮机", "fixed"), ("boiler", "辅助锅炉", "fixed")],
        [612000, 598000, 604500],
    ),
    (
        "shanghai",
        "sh2",
        "上海宝钢新材料科技有限公司",
        "steel",
        [("bf", "高炉", "fixed"), ("ck", "焦炉", "fixed")],
        [1850000, 1790000, 1820000],
    ),
    (
        "shenzhen",
        "sz",
        "深圳市东部公共交通有限公司",
        "transport",
        [("depot", "场站锅炉", "fixed"), ("buses", "公交车队", "mobile")],
        [41200, 39800, 40500],
    ),
    ("shenzhen", "sz2", "深圳南山热电股份有限公司", "power", [("unit1", "1号机组", "fixed")], [820000, 805000, 790000]),
    (
        "tianjin",
        "tj",
        "天津渤化永利化工股份有限公司",
        "chemicals",
        [("boiler", "动力锅炉", "fixed"), ("process", "合成氨装置", "fixed")],
        [456000, 448000, 451000],
    ),
    (
        "chongqing",
        "cq",
        "重庆天原化工有限公司",
        "caustic_soda",
        [("boiler", "燃煤锅炉", "fixed"), ("cell", "电解槽", "fixed"), ("trucks", "厂内运输车辆", "mobile")],
        [268000, 259000, 262500],
    ),
    (
        "beijing",
        "bj",
        "北京金隅琉水环保科技有限公司",
        "cement",
        [("kiln", "熟料生产线", "fixed")],
        [705000, 690000, 712000],
    ),
    (
        "hubei",
        "hb",
        "湖北华新水泥（武穴）有限公司",
        "cement",
        [("kiln", "熟料生产线", "fixed")],
        [1520000, 1490000, 1505000],
    ),
    (
        "guangdong",
        "gd",
        "广东塔牌集团蕉岭新型建材有限公司",
        "cement",
        [("kiln", "新建熟料生产线", "fixed")],
        [],  # a new entrant: no history, allocated on design capacity
    ),
    (
        "fujian",
        "fj",
        "福建福耀浮法玻璃有限公司",
        "flat_glass",
        [("furnace", "浮法玻璃熔窑", "fixed")],
        [98000, 102000, 99500],
    ),
    (
        "national",
        "cn",
        "华能国际电力股份有限公司福州电厂",
        "power",
        [("unit3", "3号燃煤机组", "fixed"), ("unit4", "4号燃煤机组", "fixed")],
        [5120000, 4980000, 5060000],
    ),
]
# Guangdong's new entrant: the new clinker line's design capacity (t clinker a year), allocated on it.
NEW_ENTRANTS = {"gd": Decimal("1550000")}

BODIES = [
    ("中环联合（北京）认证中心有限公司", "third_party", None),
    ("上海质量技术认证中心", "third_party", None),
    ("广州赛宝认证中心服务有限公司", "spot_check", None),
]
# A body registered in Shanghai only and qualified for power only: Tianjin (registration) and
# Beijing's cement firm (sector qualification) refuse it, so the refusals show.
UNREGISTERED_BODY = ("津沪碳核查技术服务有限公司", "shanghai", "power")


def _code(region: str, serial: int) -> str:
    return make_credit_code(f"91{region}{serial:09d}")


def _user(username: str, role: str, *, first: str, last: str, staff: bool = False, **org) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "is_staff": staff,
            "email": f"{username}@demo.carbon-mrv.local",
            **org,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_organisations() -> dict:
    """Authorities, firms, verification bodies and one user per role; returns what it made, by name."""
    made = {"firms": {}, "bodies": [], "authorities": {}}
    sectors = {s.code: s for s in Sector.objects.all()}
    markets = {m.code: m for m in Market.objects.all()}
    nat = Authority.objects.get_or_create(name="生态环境部应对气候变化司", kind="national")[0]
    _user("admin", User.Role.NATIONAL_ADMIN, first="国", last="管", staff=True, authority=nat)
    for code, name in AUTHORITIES.items():
        authority = Authority.objects.get_or_create(name=name, kind="regulator", market=markets[code])[0]
        made["authorities"][code] = authority
        prefix = PREFIXES[code]
        _user(
            f"{prefix}_officer", User.Role.REGULATOR_OFFICER, first="经办", last="王", staff=True, authority=authority
        )
        _user(f"{prefix}_head", User.Role.REGULATOR_HEAD, first="处长", last="李", staff=True, authority=authority)
        # a second head, so that four eyes can be completed when the first head proposed
        _user(f"{prefix}_head2", User.Role.REGULATOR_HEAD, first="副处长", last="刘", staff=True, authority=authority)
    stats = Authority.objects.get_or_create(name="深圳市统计局", kind="statistics_bureau", market=markets["shenzhen"])[
        0
    ]
    _user("sz_stats", User.Role.STATISTICS_OFFICER, first="统计", last="陈", authority=stats)
    for serial, (market, prefix, name, sector, sources, history) in enumerate(FIRMS, start=1):
        firm, _ = Firm.objects.get_or_create(
            credit_code=_code(REGIONS[market], 700000000 + serial),
            defaults={
                "name": name,
                "market": markets[market],
                "sector": sectors[sector],
                "address": f"{markets[market].name_zh}工业园区{serial}号",
                "contact_name": "张工",
                "covered_since": 2025 if prefix in NEW_ENTRANTS else 2020,
                "is_new_entrant": prefix in NEW_ENTRANTS,
                "design_capacity": NEW_ENTRANTS.get(prefix),
            },
        )
        made["firms"][prefix] = firm
        for src_code, src_name, kind in sources:
            EmissionSource.objects.get_or_create(firm=firm, code=src_code, defaults={"name": src_name, "kind": kind})
        for offset, amount in zip((3, 2, 1), history, strict=False):
            FirmYearFigure.objects.get_or_create(
                firm=firm,
                year=2025 - offset,
                defaults={
                    "emissions_tco2e": Decimal(amount),
                    "energy_tce": Decimal(amount) / 2,
                    "source": "verified report",
                },
            )
        _user(f"{prefix}_reporter", User.Role.FIRM_REPORTER, first="填报", last="赵", firm=firm)
        _user(f"{prefix}_approver", User.Role.FIRM_APPROVER, first="审批", last="钱", firm=firm)
    for serial, (name, kind, code) in enumerate(BODIES, start=1):
        body, _ = VerificationBody.objects.get_or_create(
            credit_code=code or _code("110000", 800000000 + serial), defaults={"name": name, "kind": kind}
        )
        made["bodies"].append(body)
        for market in markets.values():
            VerifierRegistration.objects.get_or_create(body=body, market=market, valid_from_year=2020)
        for sector in ("power", "steel", "cement", "chemicals", "transport", "caustic_soda", "flat_glass"):
            VerifierQualification.objects.get_or_create(body=body, sector=sectors[sector])
    name, market_code, sector_code = UNREGISTERED_BODY
    lone, _ = VerificationBody.objects.get_or_create(
        credit_code=_code("310000", 800000099), defaults={"name": name, "kind": "third_party"}
    )
    VerifierRegistration.objects.get_or_create(body=lone, market=markets[market_code], valid_from_year=2020)
    VerifierQualification.objects.get_or_create(body=lone, sector=sectors[sector_code])
    _user("verifier3_lead", User.Role.LEAD_VERIFIER, first="组长", last="冯", body=lone)
    first, second, spot = made["bodies"]
    _user("verifier_lead", User.Role.LEAD_VERIFIER, first="组长", last="孙", body=first)
    _user("verifier", User.Role.VERIFIER, first="核查员", last="周", body=first)
    _user("verifier2_lead", User.Role.LEAD_VERIFIER, first="组长", last="吴", body=second)
    _user("spotcheck", User.Role.SPOT_CHECKER, first="抽查员", last="郑", body=spot)
    return made


# Further steps (plans, reports, verification, registry) register here; each must be idempotent.
STEPS = [seed_organisations]


def seed() -> None:
    with transaction.atomic():
        for step in STEPS:
            step()


from mrv.demo_reporting import seed_plans_and_reports  # noqa: E402

STEPS.append(seed_plans_and_reports)

# Verification, spot checks, review and quarterly co-review: reports in every state.
from mrv.demo_verification import seed_verification  # noqa: E402

STEPS.append(seed_verification)


def _seed_calculation_methods() -> None:
    """Firms whose emissions need the newer methods (mass balance, biomass, transferred CO2, CEMS), determined."""
    from mrv.demo_calculation_methods import seed_calculation_methods

    # The demo's helpers are passed in, so demo_calculation_methods need not import this module.
    seed_calculation_methods(code=_code, regions=REGIONS, user=_user)


STEPS.append(_seed_calculation_methods)


def register_step(step) -> None:
    """Another app's demo data, seeded after mrv's (called from its AppConfig.ready(); once only)."""
    if step not in STEPS:
        STEPS.append(step)


def _seed_coverage() -> None:
    from mrv.demo_coverage import seed_coverage_lists

    # The demo's markets and credit codes are passed in, so demo_coverage need not import this module.
    seed_coverage_lists(PREFIXES=PREFIXES, REGIONS=REGIONS, _code=_code)


STEPS.append(_seed_coverage)

# Deadlines that follow the work: monthly deposits, a request for information, an extension request.
from mrv.demo_clocks import seed_work_deadlines  # noqa: E402

STEPS.append(seed_work_deadlines)
