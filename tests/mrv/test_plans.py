"""Monitoring plans: versions, the version in force, immutability once approved, market coverage, review paths."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mrv.models import AuditLog, EmissionSource, MonitoringPlan, OutboxMessage, PlanSourceStream, User
from mrv.services import plans as svc
from mrv.transitions import TransitionRefused
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, source

D = Decimal
JAN_2025 = datetime.date(2025, 1, 1)


def coal_stream(plan, user, **overrides):
    values = {
        "source": source(plan.firm, "boiler"),
        "code": "coal",
        "name": "燃煤",
        "method": "combustion_carbon_content",
        "activity_unit": "t",
        "fuel_code": "raw_coal",
    } | overrides
    stream = svc.plan_add_stream(plan=plan, acting_user=user, **values)
    svc.plan_set_parameter(
        stream=stream, name="ncv", unit="GJ/t", source="laboratory", lab_frequency="每批次", acting_user=user
    )
    svc.plan_set_parameter(
        stream=stream, name="carbon_content", unit="tC/TJ", source="default", default_value=D("26.37"), acting_user=user
    )
    svc.plan_set_parameter(
        stream=stream, name="oxidation_rate", unit="%", source="default", default_value=D("94"), acting_user=user
    )
    svc.plan_set_parameter(
        stream=stream,
        name="activity",
        unit="t",
        source="meter",
        meter_id="WB-01",
        meter_accuracy_pct=D("0.1"),
        acting_user=user,
    )
    return stream


@pytest.fixture
def draft_plan(firm, firm_user):
    plan = svc.plan_create(firm=firm, valid_from=JAN_2025, acting_user=firm_user, data_management_notes="月度汇总")
    coal_stream(plan, firm_user)
    return plan


def test_a_firm_user_creates_version_1_as_a_draft(draft_plan, firm_user):
    assert (draft_plan.version, draft_plan.status, draft_plan.created_by) == (1, "draft", firm_user)
    assert AuditLog.objects.filter(action="mrv.monitoringplan.created", object_id=str(draft_plan.pk)).exists()
    assert AuditLog.objects.filter(action="mrv.monitoringplan.parameter_set").count() == 4


def test_submit_and_approve_in_a_market_without_third_party_check(
    draft_plan, firm_approver, regulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        svc.plan_submit(plan=draft_plan, acting_user=firm_approver)
    draft_plan.refresh_from_db()
    assert draft_plan.status == MonitoringPlan.Status.SUBMITTED and draft_plan.submitted_at
    with django_capture_on_commit_callbacks(execute=True):
        svc.plan_approve(plan=draft_plan, acting_user=regulator, reason="符合指南")
    draft_plan.refresh_from_db()
    assert draft_plan.status == MonitoringPlan.Status.APPROVED and draft_plan.approved_at
    rows = AuditLog.objects.filter(
        object_id=str(draft_plan.pk), action__in=["mrv.monitoringplan.submit", "mrv.monitoringplan.approve"]
    ).order_by("at", "id")
    assert [(r.action, r.actor, r.from_state, r.to_state) for r in rows] == [
        ("mrv.monitoringplan.submit", firm_approver, "draft", "submitted"),
        ("mrv.monitoringplan.approve", regulator, "submitted", "approved"),
    ]
    assert rows[1].reason == "符合指南" and rows[1].market_id == draft_plan.firm.market_id
    assert queued() == [("mrv.monitoringplan.submit", draft_plan.pk), ("mrv.monitoringplan.approve", draft_plan.pk)]
    assert MonitoringPlan.objects.in_force(draft_plan.firm, JAN_2025) == draft_plan


def test_a_returned_plan_carries_its_reasons_and_can_be_corrected_and_resubmitted(
    draft_plan, firm_approver, firm_user, regulator
):
    svc.plan_submit(plan=draft_plan, acting_user=firm_approver)
    with pytest.raises(ValidationError):
        svc.plan_return(plan=draft_plan, reasons=" ", acting_user=regulator)
    svc.plan_return(plan=draft_plan, reasons="缺少计量器具校准记录", acting_user=regulator)
    draft_plan.refresh_from_db()
    assert (draft_plan.status, draft_plan.return_reason) == ("returned", "缺少计量器具校准记录")
    row = AuditLog.objects.get(action="mrv.monitoringplan.return_to_firm")
    assert (row.from_state, row.to_state, row.reason, row.actor) == (
        "submitted",
        "returned",
        "缺少计量器具校准记录",
        regulator,
    )
    svc.plan_update(plan=draft_plan, data_management_notes="月度汇总；校准记录见附件", acting_user=firm_user)
    svc.plan_submit(plan=draft_plan, acting_user=firm_approver)
    draft_plan.refresh_from_db()
    assert draft_plan.status == "submitted" and draft_plan.return_reason == ""


def test_an_incomplete_plan_cannot_be_submitted(firm, firm_user, firm_approver):
    plan = svc.plan_create(firm=firm, valid_from=JAN_2025, acting_user=firm_user)
    with pytest.raises(ValidationError) as refused:
        svc.plan_submit(plan=plan, acting_user=firm_approver)
    assert refused.value.messages == [str(svc.PLAN_EMPTY)]
    svc.plan_add_stream(
        plan=plan,
        source=source(firm, "boiler"),
        code="coal",
        name="煤",
        method="combustion_carbon_content",
        activity_unit="t",
        acting_user=firm_user,
    )
    with pytest.raises(ValidationError) as refused:
        svc.plan_submit(plan=plan, acting_user=firm_approver)
    assert refused.value.messages == [
        "Source stream coal: method combustion_carbon_content needs the parameter ncv.",
        "Source stream coal: method combustion_carbon_content needs the parameter carbon_content.",
        "Source stream coal: method combustion_carbon_content needs the parameter oxidation_rate.",
    ]
    plan.refresh_from_db()
    assert plan.status == "draft"


# --- Versions ------------------------------------------------------------------------------------


def test_an_approved_plan_cannot_be_edited(firm, firm_user):
    plan = approved_plan(firm, [COAL])
    stream = plan.streams.get()
    locked = (
        f"Plan version 1 is “{plan.get_status_display()}” and can no longer be changed; start a new version instead."
    )
    with pytest.raises(ValidationError) as refused:
        svc.plan_add_stream(
            plan=plan,
            source=stream.source,
            code="gas",
            name="气",
            method="emission_factor",
            activity_unit="t",
            acting_user=firm_user,
        )
    assert refused.value.messages == [locked]
    with pytest.raises(ValidationError):
        svc.plan_set_parameter(
            stream=stream, name="ncv", unit="GJ/t", source="default", default_value=D("1"), acting_user=firm_user
        )
    with pytest.raises(ValidationError):
        svc.plan_update(plan=plan, data_management_notes="x", acting_user=firm_user)
    with pytest.raises(ValidationError):
        svc.plan_remove_stream(stream=stream, acting_user=firm_user)
    stream.name = "直接改"
    with pytest.raises(ValidationError):
        stream.save()  # not even past the services
    loaded = MonitoringPlan.objects.get(pk=plan.pk)
    loaded.data_management_notes = "直接改"
    with pytest.raises(ValidationError):
        loaded.save()
    assert MonitoringPlan.objects.get(pk=plan.pk).data_management_notes == ""
    assert PlanSourceStream.objects.get(pk=stream.pk).name == "coal" and plan.streams.count() == 1


def test_a_change_is_a_new_version_that_needs_approval_and_applies_from_its_date(
    firm, firm_user, firm_approver, regulator
):
    first = approved_plan(firm, [COAL], valid_from=datetime.date(2024, 1, 1))
    second = svc.plan_create(firm=firm, valid_from=datetime.date(2025, 7, 1), acting_user=firm_user)
    assert second.version == 2
    copied = second.streams.get()
    assert (copied.code, copied.pk != first.streams.get().pk) == ("coal", True)
    assert {p.name for p in copied.parameters.all()} == {"ncv", "carbon_content", "oxidation_rate"}
    svc.plan_add_stream(
        plan=second,
        source=source(firm, "boiler"),
        code="power",
        name="外购电",
        method="purchased_electricity",
        activity_unit="MWh",
        acting_user=firm_user,
    )
    assert MonitoringPlan.objects.in_force(firm, datetime.date(2025, 12, 31)) == first  # not approved yet
    svc.plan_submit(plan=second, acting_user=firm_approver)
    svc.plan_approve(plan=second, acting_user=regulator)
    assert MonitoringPlan.objects.in_force(firm, datetime.date(2025, 6, 30)) == first
    assert MonitoringPlan.objects.in_force(firm, datetime.date(2025, 7, 1)) == second
    assert MonitoringPlan.objects.in_force(firm, datetime.date(2023, 12, 31)) is None
    assert first.streams.count() == 1  # the old version is untouched


def test_only_one_open_version_at_a_time(draft_plan, firm_user):
    with pytest.raises(ValidationError) as refused:
        svc.plan_create(firm=draft_plan.firm, valid_from=JAN_2025, acting_user=firm_user)
    assert refused.value.messages == [
        str(svc.OPEN_VERSION_EXISTS % {"version": 1, "state": draft_plan.get_status_display()})
    ]
    assert MonitoringPlan.objects.count() == 1


def test_on_the_same_date_the_higher_version_is_in_force(firm):
    approved_plan(firm, [COAL], version=1)
    second = approved_plan(firm, [COAL], version=2)
    assert MonitoringPlan.objects.in_force(firm, JAN_2025) == second
    assert svc.plan_in_force(firm, JAN_2025) == second


# --- What the market covers ----------------------------------------------------------------------


def test_a_gas_the_market_does_not_cover_is_refused(draft_plan, firm_user):
    with pytest.raises(ValidationError) as refused:
        svc.plan_add_stream(
            plan=draft_plan,
            source=source(draft_plan.firm, "boiler"),
            code="ch4",
            name="甲烷",
            method="emission_factor",
            gas="CH4",
            activity_unit="t",
            acting_user=firm_user,
        )
    assert refused.value.messages == [
        f"Source stream ch4: {draft_plan.firm.market} does not cover CH4; covered gases: CO2."
    ]
    assert not draft_plan.streams.filter(code="ch4").exists()


def test_chongqing_plans_may_list_non_co2_gases_and_mobile_sources(db):
    firm = f.FirmFactory(market=f.market("chongqing"), sector=f.sector("caustic_soda"))
    user = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm)
    plan = svc.plan_create(firm=firm, valid_from=JAN_2025, acting_user=user)
    trucks = source(firm, "trucks", EmissionSource.Kind.MOBILE)
    for code, gas in (("ch4", "CH4"), ("n2o", "N2O"), ("r134a", "HFC-134a"), ("sf6", "SF6")):
        svc.plan_add_stream(
            plan=plan,
            source=trucks,
            code=code,
            name=code,
            method="emission_factor",
            gas=gas,
            activity_unit="t",
            acting_user=user,
        )
    assert plan.streams.count() == 4


def test_a_mobile_source_is_refused_where_the_market_does_not_cover_it(draft_plan, firm_user):
    fleet = source(draft_plan.firm, "fleet", EmissionSource.Kind.MOBILE)
    with pytest.raises(ValidationError) as refused:
        svc.plan_add_stream(
            plan=draft_plan,
            source=fleet,
            code="diesel",
            name="柴油",
            method="emission_factor",
            activity_unit="t",
            acting_user=firm_user,
        )
    assert refused.value.messages == [
        f"Source stream diesel: fleet is a mobile source, and {draft_plan.firm.market} does not cover mobile sources."
    ]


def test_a_shenzhen_plan_may_list_a_bus_fleet(db):
    firm = f.FirmFactory(market=f.market("shenzhen"), sector=f.sector("transport"))
    user = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm)
    plan = svc.plan_create(firm=firm, valid_from=JAN_2025, acting_user=user)
    buses = source(firm, "buses", EmissionSource.Kind.MOBILE)
    stream = svc.plan_add_stream(
        plan=plan,
        source=buses,
        code="diesel",
        name="柴油",
        fuel_code="diesel",
        method="emission_factor",
        activity_unit="t",
        acting_user=user,
    )
    assert stream.source.kind == "mobile"


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        (
            {"name": "ncv", "unit": "GJ/t", "source": "default"},
            "Source stream coal, ncv: a default value is needed when its source is the default.",
        ),
        (
            {"name": "ncv", "unit": "GJ/t", "source": "meter", "meter_id": "M1"},
            "Source stream coal, ncv: a meter needs its id and accuracy.",
        ),
        (
            {"name": "ncv", "unit": "GJ/t", "source": "laboratory"},
            "Source stream coal, ncv: a laboratory analysis needs its frequency.",
        ),
        (
            {"name": "ncv", "unit": "tC/TJ", "source": "default", "default_value": D("1")},
            "Source stream coal, ncv: tC/TJ is not energy per t.",
        ),
        (
            {"name": "emission_factor", "unit": "tCO2/t", "source": "default", "default_value": D("1")},
            "Source stream coal: method combustion_carbon_content does not use emission_factor.",
        ),
    ],
)
def test_a_parameter_must_say_where_it_comes_from_in_a_fitting_unit(draft_plan, firm_user, parameter, expected):
    stream = draft_plan.streams.get()
    before = {(p.name, p.unit, p.source) for p in stream.parameters.all()}
    with pytest.raises(ValidationError) as refused:
        svc.plan_set_parameter(stream=stream, acting_user=firm_user, **parameter)
    assert refused.value.messages == [expected]
    assert {(p.name, p.unit, p.source) for p in stream.parameters.all()} == before


def test_an_attachment_is_stored_under_a_random_name(draft_plan, firm_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("上海测试电厂 监测计划.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = svc.plan_attach_file(plan=draft_plan, file=upload, acting_user=firm_user, description="盖章版")
    assert attachment.original_name == "上海测试电厂 监测计划.pdf"
    assert attachment.file.name.startswith("plans/") and attachment.file.name.endswith(".pdf")
    assert "监测" not in attachment.file.name and len(attachment.file.name) == len("plans/") + 32 + len(".pdf")
    assert (tmp_path / attachment.file.name).read_bytes() == b"%PDF-1.4 test"


# --- Tianjin: the plan is checked by a registered third party before the regulator approves -------


@pytest.fixture
def tianjin_world(db):
    tianjin = f.market("tianjin")
    firm = f.FirmFactory(name="天津测试化工有限公司", market=tianjin, sector=f.sector("chemicals"))
    body = f.BodyFactory(name="天津备案核查机构", markets=[tianjin])
    unregistered = f.BodyFactory(name="未备案机构", markets=[f.market("shanghai")])
    authority = f.AuthorityFactory(market=tianjin)
    return {
        "firm": firm,
        "body": body,
        "unregistered": unregistered,
        "reporter": f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm),
        "approver": f.UserFactory(role=User.Role.FIRM_APPROVER, firm=firm),
        "verifier": f.UserFactory(role=User.Role.LEAD_VERIFIER, body=body),
        "stranger": f.UserFactory(role=User.Role.LEAD_VERIFIER, body=unregistered),
        "regulator": f.UserFactory(role=User.Role.REGULATOR_OFFICER, authority=authority, is_staff=True),
    }


@pytest.fixture
def tianjin_plan(tianjin_world):
    w = tianjin_world
    plan = svc.plan_create(firm=w["firm"], valid_from=JAN_2025, acting_user=w["reporter"])
    coal_stream(plan, w["reporter"])
    return plan


def test_tianjin_needs_a_registered_checking_body_before_submission(tianjin_plan, tianjin_world):
    w = tianjin_world
    with pytest.raises(ValidationError) as refused:
        svc.plan_submit(plan=tianjin_plan, acting_user=w["approver"])
    assert refused.value.messages == [str(svc.CHECK_BODY_NEEDED % {"market": w["firm"].market})]
    svc.plan_update(plan=tianjin_plan, check_body=w["unregistered"], acting_user=w["reporter"])
    with pytest.raises(ValidationError) as refused:
        svc.plan_submit(plan=tianjin_plan, acting_user=w["approver"])
    assert refused.value.messages == [f"未备案机构 is not registered with {w['firm'].market} for 2025."]
    tianjin_plan.refresh_from_db()
    assert tianjin_plan.status == "draft"


def test_tianjin_plan_goes_through_the_third_party_check(tianjin_plan, tianjin_world):
    w = tianjin_world
    svc.plan_update(plan=tianjin_plan, check_body=w["body"], acting_user=w["reporter"])
    svc.plan_submit(plan=tianjin_plan, acting_user=w["approver"])
    with pytest.raises(TransitionRefused):
        svc.plan_approve(plan=tianjin_plan, acting_user=w["regulator"])  # the check comes first
    with pytest.raises(PermissionDenied):
        svc.plan_check_by_third_party(plan=tianjin_plan, acting_user=w["stranger"])
    svc.plan_check_by_third_party(plan=tianjin_plan, acting_user=w["verifier"], reason="现场核对计量器具")
    tianjin_plan.refresh_from_db()
    assert tianjin_plan.status == MonitoringPlan.Status.THIRD_PARTY_CHECKED
    row = AuditLog.objects.get(action="mrv.monitoringplan.check_by_third_party")
    assert (row.actor, row.from_state, row.to_state) == (w["verifier"], "submitted", "third_party_checked")
    svc.plan_approve(plan=tianjin_plan, acting_user=w["regulator"])
    tianjin_plan.refresh_from_db()
    assert tianjin_plan.status == MonitoringPlan.Status.APPROVED
    assert AuditLog.objects.get(action="mrv.monitoringplan.approve").from_state == "third_party_checked"
    assert queued() == [
        ("mrv.monitoringplan.submit", tianjin_plan.pk),
        ("mrv.monitoringplan.check_by_third_party", tianjin_plan.pk),
        ("mrv.monitoringplan.approve", tianjin_plan.pk),
    ]


def test_the_checking_verifier_may_return_the_tianjin_plan_with_reasons(tianjin_plan, tianjin_world):
    w = tianjin_world
    svc.plan_update(plan=tianjin_plan, check_body=w["body"], acting_user=w["reporter"])
    svc.plan_submit(plan=tianjin_plan, acting_user=w["approver"])
    svc.plan_return(plan=tianjin_plan, reasons="煤样化验频次不足", acting_user=w["verifier"])
    tianjin_plan.refresh_from_db()
    assert (tianjin_plan.status, tianjin_plan.return_reason) == ("returned", "煤样化验频次不足")
    assert AuditLog.objects.get(action="mrv.monitoringplan.return_to_firm").actor == w["verifier"]


def test_a_market_without_the_check_has_no_third_party_step(draft_plan, firm_approver, verifier):
    svc.plan_submit(plan=draft_plan, acting_user=firm_approver)
    with pytest.raises(TransitionRefused):
        svc.plan_check_by_third_party(plan=draft_plan, acting_user=verifier)
    draft_plan.refresh_from_db()
    assert draft_plan.status == "submitted"


def test_electricity_must_be_measured_in_energy(draft_plan, firm_user):
    with pytest.raises(ValidationError) as refused:
        svc.plan_add_stream(
            plan=draft_plan,
            source=source(draft_plan.firm, "boiler"),
            code="power",
            name="电",
            method="purchased_electricity",
            activity_unit="t",
            acting_user=firm_user,
        )
    assert refused.value.messages == [
        "Source stream power, activity: electricity and heat are measured in energy (MWh, GJ …), not t."
    ]


def test_an_unknown_unit_is_refused_with_its_stream_and_field(draft_plan, firm_user):
    with pytest.raises(ValidationError) as refused:
        svc.plan_add_stream(
            plan=draft_plan,
            source=source(draft_plan.firm, "boiler"),
            code="x",
            name="x",
            method="process",
            activity_unit="barrel",
            acting_user=firm_user,
        )
    assert refused.value.messages[0].startswith("Source stream x, activity: unknown unit 'barrel'")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("verifier", True),
        ("team", True),
        ("other_registered", False),
        ("stranger", False),
        ("regulator", False),
        ("approver", False),
    ],
)
def test_who_may_check_a_tianjin_plan(tianjin_plan, tianjin_world, who, allowed):
    w = tianjin_world
    team = f.UserFactory(role=User.Role.VERIFIER, body=w["body"])
    other_registered = f.UserFactory(role=User.Role.LEAD_VERIFIER, body=f.BodyFactory(markets=[w["firm"].market]))
    users = {**w, "team": team, "other_registered": other_registered}
    svc.plan_update(plan=tianjin_plan, check_body=w["body"], acting_user=w["reporter"])
    svc.plan_submit(plan=tianjin_plan, acting_user=w["approver"])
    try:
        svc.plan_check_by_third_party(plan=tianjin_plan, acting_user=users[who])
    except PermissionDenied:
        assert not allowed
    else:
        assert allowed
    tianjin_plan.refresh_from_db()
    assert tianjin_plan.status == ("third_party_checked" if allowed else "submitted")


def queued() -> list[tuple[str, int]]:
    """The notification tasks queued in the outbox: (event, plan id), oldest first."""
    messages = OutboxMessage.objects.filter(task_name="deadlines.notify_workflow_event").order_by("created_at")
    return [(m.kwargs["event"], m.kwargs["monitoringplan_id"]) for m in messages]
