"""Monitoring plans: drafting versions, their source streams and parameters, and the review path.

Every write checks who acts (a user of the plan's firm drafts; the transitions carry their own
permission), refuses bad input with a specific message and changes nothing then, and writes an
audit row in the same transaction. Errors: `ValidationError` (bad content), `PermissionDenied`
(not yours), `TransitionRefused` (not from this state).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import calculation
from mrv.audit import log_action
from mrv.calculation import Dimension, Method, UnitError
from mrv.models import EmissionSource, Firm, MonitoringPlan, PlanAttachment, PlanParameter, PlanSourceStream
from mrv.selectors import plan_in_force  # noqa: F401 (callers of the services find the read here too)
from mrv.services.follow_ups import follow_ups
from mrv.transitions import REASON_REQUIRED, run_transition
from mrv.validation import ENERGY_METHODS, REQUIRED_PARAMETERS
from mrv.workflow import plans as rules

NOT_YOUR_FIRM = _("Only a reporter or approver of the firm may change its monitoring plan.")
OPEN_VERSION_EXISTS = _("Version %(version)s is still open (%(state)s): change that one instead of starting another.")
SOURCE_OF_OTHER_FIRM = _("Source stream %(stream)s: the source %(source)s belongs to another firm.")
GAS_NOT_COVERED = _("Source stream %(stream)s: %(market)s does not cover %(gas)s; covered gases: %(gases)s.")
UNKNOWN_GAS = _("Source stream %(stream)s: unknown gas %(gas)s.")
MOBILE_NOT_COVERED = _(
    "Source stream %(stream)s: %(source)s is a mobile source, and %(market)s does not cover mobile sources."
)
UNKNOWN_METHOD = _("Source stream %(stream)s: unknown calculation method %(method)s.")
UNKNOWN_FUEL = _("Source stream %(stream)s: unknown fuel %(fuel)s.")
UNKNOWN_UNIT = _("Source stream %(stream)s, %(field)s: %(detail)s")
ENERGY_UNIT_NEEDED = _(
    "Source stream %(stream)s, activity: electricity and heat are measured in energy (MWh, GJ …), not %(unit)s."
)
PARAMETER_UNIT_WRONG = _("Source stream %(stream)s, %(field)s: %(unit)s is not %(expected)s per %(activity_unit)s.")
PARAMETER_NOT_USED = _("Source stream %(stream)s: method %(method)s does not use %(field)s.")
DEFAULT_VALUE_NEEDED = _(
    "Source stream %(stream)s, %(field)s: a default value is needed when its source is the default."
)
METER_ID_NEEDED = _("Source stream %(stream)s, %(field)s: a meter needs its id and accuracy.")
LAB_FREQUENCY_NEEDED = _("Source stream %(stream)s, %(field)s: a laboratory analysis needs its frequency.")
PARAMETER_MISSING = _("Source stream %(stream)s: method %(method)s needs the parameter %(field)s.")
PLAN_EMPTY = _("The plan has no source stream.")
DUPLICATE_STREAM = _("Source stream %(stream)s: this code is already used in this plan version.")
CHECK_BODY_NEEDED = _(
    "%(market)s requires a third-party check of the plan: choose a verification body registered with the market."
)
CHECK_BODY_NOT_REGISTERED = _("%(body)s is not registered with %(market)s for %(year)s.")


def _ensure_firm_user(plan_or_firm_id, user) -> None:
    firm_id = getattr(plan_or_firm_id, "firm_id", plan_or_firm_id)
    if not (user.is_firm_user and user.firm_id == firm_id):
        raise PermissionDenied(NOT_YOUR_FIRM)


def plan_create(
    *, firm: Firm, valid_from: datetime.date, acting_user, data_management_notes: str = "", check_body=None
) -> MonitoringPlan:
    """A new draft version; it starts as a copy of the latest approved version, if there is one."""
    _ensure_firm_user(firm.pk, acting_user)
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()  # one version number at a time
        open_version = firm.plans.exclude(status=MonitoringPlan.Status.APPROVED).order_by("-version").first()
        if open_version:
            raise ValidationError(
                OPEN_VERSION_EXISTS % {"version": open_version.version, "state": open_version.get_status_display()},
                code="wrong_state",
            )
        latest = firm.plans.filter(status=MonitoringPlan.Status.APPROVED).order_by("-version").first()
        number = (firm.plans.aggregate(n=Max("version"))["n"] or 0) + 1
        plan = MonitoringPlan.objects.create(
            firm=firm,
            version=number,
            valid_from=valid_from,
            created_by=acting_user,
            data_management_notes=data_management_notes
            if latest is None or data_management_notes
            else latest.data_management_notes,
            check_body=check_body or (latest.check_body if latest else None),
        )
        if latest is not None:
            _copy_streams(latest, plan)
        log_action(
            plan,
            "mrv.monitoringplan.created",
            actor=acting_user,
            changes={"version": (None, number), "copied_from": (None, latest.version if latest else None)},
        )
    return plan


def _copy_streams(source: MonitoringPlan, target: MonitoringPlan) -> None:
    for stream in source.streams.prefetch_related("parameters"):
        parameters = list(stream.parameters.all())
        stream.pk, stream.plan = None, target
        stream.save()
        for parameter in parameters:
            parameter.pk, parameter.stream = None, stream
            parameter.save()


def plan_update(*, plan: MonitoringPlan, acting_user, **values) -> dict:
    """Change valid_from, data_management_notes or check_body of an editable version."""
    _ensure_firm_user(plan, acting_user)
    allowed = {"valid_from", "data_management_notes", "check_body"}
    if set(values) - allowed:
        raise ValidationError(f"Only {', '.join(sorted(allowed))} can be changed here.")
    with transaction.atomic():
        plan.ensure_editable()
        diff = {k: (getattr(plan, k), v) for k, v in values.items() if getattr(plan, k) != v}
        for name, (_old, new) in diff.items():
            setattr(plan, name, new)
        if diff:
            plan.save(update_fields=[*diff, "updated_at"])
            log_action(plan, "mrv.monitoringplan.changed", actor=acting_user, changes=diff)
    return diff


def _check_unit(stream_code: str, field: str, unit: str) -> calculation.Unit:
    try:
        return calculation.parse_unit(unit)
    except UnitError as error:
        raise ValidationError(UNKNOWN_UNIT % {"stream": stream_code, "field": field, "detail": error}) from None


def stream_problems(stream: PlanSourceStream, pack) -> list[str]:
    """What makes a stream unacceptable under the market's rule pack (gas, mobile source, method, units)."""
    code, problems = stream.code, []
    market = pack.market
    if stream.gas not in calculation.SPECIES:
        return [UNKNOWN_GAS % {"stream": code, "gas": stream.gas}]
    if str(calculation.gas_group(stream.gas)) not in pack.gases:
        problems.append(
            GAS_NOT_COVERED % {"stream": code, "market": market, "gas": stream.gas, "gases": ", ".join(pack.gases)}
        )
    if stream.source.kind == EmissionSource.Kind.MOBILE and not pack.covers_mobile_sources:
        problems.append(MOBILE_NOT_COVERED % {"stream": code, "source": stream.source.name, "market": market})
    if stream.method not in {m.value for m in Method}:
        return [*problems, UNKNOWN_METHOD % {"stream": code, "method": stream.method}]
    if stream.fuel_code and stream.fuel_code not in calculation.FUELS:
        problems.append(UNKNOWN_FUEL % {"stream": code, "fuel": stream.fuel_code})
    unit = _check_unit(code, "activity", stream.activity_unit)
    if stream.method_enum in ENERGY_METHODS and unit.measure != ((Dimension.ENERGY, None), None):
        problems.append(ENERGY_UNIT_NEEDED % {"stream": code, "unit": stream.activity_unit})
    return problems


def plan_add_stream(
    *,
    plan: MonitoringPlan,
    source: EmissionSource,
    code: str,
    name: str,
    method: str,
    activity_unit: str,
    acting_user,
    gas: str = "CO2",
    fuel_code: str = "",
) -> PlanSourceStream:
    """Add a source stream to an editable version; the market must cover its gas and source kind."""
    _ensure_firm_user(plan, acting_user)
    stream = PlanSourceStream(
        plan=plan,
        source=source,
        code=code,
        name=name,
        method=method,
        gas=gas,
        activity_unit=activity_unit,
        fuel_code=fuel_code,
    )
    if source.firm_id != plan.firm_id:
        raise ValidationError(SOURCE_OF_OTHER_FIRM % {"stream": code, "source": source.code})
    problems = stream_problems(stream, plan.rule_pack())
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        plan.ensure_editable()
        if plan.streams.filter(code=code).exists():
            raise ValidationError(DUPLICATE_STREAM % {"stream": code})
        stream.save()
        log_action(
            plan,
            "mrv.monitoringplan.stream_added",
            actor=acting_user,
            changes={f"stream {code}": (None, f"{source.code} {gas} {method} [{activity_unit}]")},
        )
    return stream


def plan_remove_stream(*, stream: PlanSourceStream, acting_user) -> None:
    plan = stream.plan
    _ensure_firm_user(plan, acting_user)
    with transaction.atomic():
        plan.ensure_editable()
        stream.parameters.all().delete()
        stream.delete()
        log_action(
            plan,
            "mrv.monitoringplan.stream_removed",
            actor=acting_user,
            changes={f"stream {stream.code}": (stream.method, None)},
        )


def _check_parameter(stream: PlanSourceStream, parameter: PlanParameter) -> None:
    code, field = stream.code, parameter.name
    method = stream.method_enum
    used = {"activity", *REQUIRED_PARAMETERS.get(method, ())}
    if field not in used:
        raise ValidationError(PARAMETER_NOT_USED % {"stream": code, "method": method, "field": field})
    unit = _check_unit(code, field, parameter.unit)
    _check_parameter_unit(stream, parameter, unit)
    source = parameter.source
    if source == PlanParameter.Source.DEFAULT and parameter.default_value is None:
        raise ValidationError(DEFAULT_VALUE_NEEDED % {"stream": code, "field": field})
    if source == PlanParameter.Source.METER and not (parameter.meter_id and parameter.meter_accuracy_pct is not None):
        raise ValidationError(METER_ID_NEEDED % {"stream": code, "field": field})
    if source == PlanParameter.Source.LABORATORY and not parameter.lab_frequency.strip():
        raise ValidationError(LAB_FREQUENCY_NEEDED % {"stream": code, "field": field})


def _check_parameter_unit(stream: PlanSourceStream, parameter: PlanParameter, unit: calculation.Unit) -> None:
    """The parameter's unit must fit the formula: energy per activity unit for NCV, and so on."""
    name, activity = parameter.name, calculation.parse_unit(stream.activity_unit)
    expected = {
        "activity": (activity.numerator_measure, None, stream.activity_unit),
        "ncv": ((Dimension.ENERGY, None), activity.numerator_measure, _("energy")),
        "carbon_content": ((Dimension.MASS, "C"), (Dimension.ENERGY, None), _("mass of carbon")),
        # xgettext:no-python-format
        "oxidation_rate": ((Dimension.FRACTION, None), None, _("a fraction (% or 1)")),
        "emission_factor": ((Dimension.MASS, stream.gas), activity.numerator_measure, f"t{stream.gas}"),
    }[name]
    numerator, denominator, label = expected
    if unit.numerator_measure != numerator or unit.denominator_measure != denominator:
        per = stream.activity_unit if name != "carbon_content" else "GJ"
        raise ValidationError(
            PARAMETER_UNIT_WRONG
            % {"stream": stream.code, "field": name, "unit": parameter.unit, "expected": label, "activity_unit": per}
        )


def plan_set_parameter(
    *,
    stream: PlanSourceStream,
    name: str,
    unit: str,
    source: str,
    acting_user,
    default_value: Decimal | None = None,
    lab_frequency: str = "",
    meter_id: str = "",
    meter_accuracy_pct: Decimal | None = None,
) -> PlanParameter:
    """Say where one parameter of a stream comes from (replacing what was said before)."""
    plan = stream.plan
    _ensure_firm_user(plan, acting_user)
    parameter = stream.parameters.filter(name=name).first() or PlanParameter(stream=stream, name=name)
    before = str(parameter) if parameter.pk else None
    for field, value in {
        "unit": unit,
        "source": source,
        "default_value": default_value,
        "lab_frequency": lab_frequency,
        "meter_id": meter_id,
        "meter_accuracy_pct": meter_accuracy_pct,
    }.items():
        setattr(parameter, field, value)
    _check_parameter(stream, parameter)
    with transaction.atomic():
        plan.ensure_editable()
        parameter.save()
        log_action(
            plan,
            "mrv.monitoringplan.parameter_set",
            actor=acting_user,
            changes={f"{stream.code}.{name}": (before, str(parameter))},
        )
    return parameter


def plan_attach_file(*, plan: MonitoringPlan, file, acting_user, description: str = "") -> PlanAttachment:
    _ensure_firm_user(plan, acting_user)
    with transaction.atomic():
        plan.ensure_editable()
        attachment = PlanAttachment(
            plan=plan, original_name=file.name[:255], description=description, uploaded_by=acting_user
        )
        attachment.file.save(file.name, file, save=False)
        attachment.save()
        log_action(
            plan,
            "mrv.monitoringplan.file_attached",
            actor=acting_user,
            changes={"attachment": (None, attachment.original_name)},
        )
    return attachment


def plan_problems(plan: MonitoringPlan) -> list[str]:
    """Why a version cannot be submitted yet: empty, a stream the market refuses, a parameter missing."""
    pack = plan.rule_pack()
    streams = list(plan.streams.select_related("source").prefetch_related("parameters"))
    problems = [] if streams else [str(PLAN_EMPTY)]
    for stream in streams:
        problems += [str(p) for p in stream_problems(stream, pack)]
        named = {p.name for p in stream.parameters.all()}
        for field in REQUIRED_PARAMETERS.get(Method(stream.method), ()):
            if field not in named:
                problems.append(
                    str(PARAMETER_MISSING % {"stream": stream.code, "method": stream.method, "field": field})
                )
    if pack.plan_requires_third_party_check:
        if plan.check_body_id is None:
            problems.append(str(CHECK_BODY_NEEDED % {"market": plan.firm.market}))
        elif not rules.body_registered_for(plan):
            problems.append(
                str(
                    CHECK_BODY_NOT_REGISTERED
                    % {"body": plan.check_body, "market": plan.firm.market, "year": plan.valid_from.year}
                )
            )
    return problems


def plan_submit(*, plan: MonitoringPlan, acting_user, reason: str = "") -> MonitoringPlan:
    """A firm approver submits a complete version for review (for the third-party check first in Tianjin)."""
    if rules.is_firm_approver(plan, acting_user) and plan.is_editable:
        problems = plan_problems(plan)
        if problems:
            raise ValidationError(problems)
    run_transition(
        plan,
        "submit",
        acting_user=acting_user,
        reason=reason,
        when=timezone.now(),
        tasks=follow_ups("mrv.monitoringplan.submit", monitoringplan_id=plan.pk),
    )
    return plan


def plan_check_by_third_party(*, plan: MonitoringPlan, acting_user, reason: str = "") -> MonitoringPlan:
    run_transition(
        plan,
        "check_by_third_party",
        acting_user=acting_user,
        reason=reason,
        tasks=follow_ups("mrv.monitoringplan.check_by_third_party", monitoringplan_id=plan.pk),
    )
    return plan


def plan_approve(*, plan: MonitoringPlan, acting_user, reason: str = "") -> MonitoringPlan:
    run_transition(
        plan,
        "approve",
        acting_user=acting_user,
        reason=reason,
        when=timezone.now(),
        tasks=follow_ups("mrv.monitoringplan.approve", monitoringplan_id=plan.pk),
    )
    return plan


def plan_return(*, plan: MonitoringPlan, reasons: str, acting_user) -> MonitoringPlan:
    """Send the version back to the firm with reasons (required)."""
    if not (reasons or "").strip():
        raise ValidationError(REASON_REQUIRED)
    run_transition(
        plan,
        "return_to_firm",
        acting_user=acting_user,
        reason=reasons,
        reasons=reasons,
        tasks=follow_ups("mrv.monitoringplan.return_to_firm", monitoringplan_id=plan.pk),
    )
    return plan
