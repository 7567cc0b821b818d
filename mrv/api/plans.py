"""A firm's monitoring plan and its versions through the API (the services of `mrv.services.plans`).

A new version starts as a copy of the approved one; the firm edits it (notes, streams, parameters) while it
is a draft or returned, then submits it for review. Plans another tenant owns are 404.
"""

import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mrv.api import conventions as c
from mrv.api.views import ScopedViewSet
from mrv.models import EmissionSource, MonitoringPlan, PlanParameter, PlanSourceStream
from mrv.models.plans import FUEL_CHOICES, GAS_SPECIES_CHOICES, METHOD_CHOICES
from mrv.selectors.plans import plan_streams, plan_versions_with_streams
from mrv.selectors.verification import verification_bodies
from mrv.services import plans as svc
from mrv.transitions import transitions_for
from mrv.workflow import plans as rules


class ParameterOut(serializers.ModelSerializer):
    class Meta:
        model = PlanParameter
        fields = ["name", "unit", "source", "default_value", "lab_frequency", "meter_id", "meter_accuracy_pct"]


class StreamOut(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parameters = ParameterOut(many=True, read_only=True)

    class Meta:
        model = PlanSourceStream
        fields = ["code", "name", "source", "method", "gas", "activity_unit", "fuel_code", "parameters"]


class PlanOut(serializers.ModelSerializer):
    firm = serializers.PrimaryKeyRelatedField(read_only=True)
    streams = StreamOut(many=True, read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="what you may do now")

    class Meta:
        model = MonitoringPlan
        fields = [
            "id",
            "firm",
            "version",
            "status",
            "valid_from",
            "data_management_notes",
            "check_body",
            "return_reason",
            "submitted_at",
            "approved_at",
            "updated_at",
            "streams",
            "actions",
        ]


class PlanIn(serializers.Serializer):
    valid_from = serializers.DateField()
    data_management_notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    check_body = serializers.PrimaryKeyRelatedField(
        queryset=verification_bodies(), required=False, allow_null=True, help_text="third-party checker"
    )


class PlanChangeIn(PlanIn):
    valid_from = serializers.DateField(required=False)


class StreamIn(serializers.Serializer):
    source = serializers.SlugField(max_length=40, help_text="the code of one of your firm's emission sources")
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=200)
    method = serializers.ChoiceField(choices=METHOD_CHOICES)
    gas = serializers.ChoiceField(choices=GAS_SPECIES_CHOICES, default="CO2")
    activity_unit = serializers.CharField(max_length=20)
    fuel_code = serializers.ChoiceField(choices=FUEL_CHOICES, required=False, allow_blank=True, default="")


class ParameterIn(serializers.Serializer):
    unit = serializers.CharField(max_length=20)
    source = serializers.ChoiceField(choices=PlanParameter.Source.choices)
    default_value = serializers.DecimalField(max_digits=20, decimal_places=8, required=False, allow_null=True)
    lab_frequency = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    meter_id = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    meter_accuracy_pct = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True)


class ProblemsOut(serializers.Serializer):
    problems = serializers.ListField(child=serializers.CharField(), help_text="empty: ready to submit")


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MonitoringPlan.Status.choices)

    class Meta:
        model = MonitoringPlan
        fields = ["status"]


def plan_body(plan: MonitoringPlan, user) -> dict:
    plan.actions = sorted(transitions_for(plan, user) | ({"edit"} if rules.is_plan_editor(plan, user) else set()))
    return PlanOut(plan).data


@extend_schema_view(
    list=extend_schema(summary="Plan versions you may see", responses={200: PlanOut(many=True), **c.problems(400)}),
    retrieve=extend_schema(
        summary="One plan version with its streams (ETag)", responses={200: PlanOut, **c.problems(404)}
    ),
)
class PlanViewSet(ScopedViewSet):
    serializer_class = PlanOut
    filterset_class = PlanFilter

    def base_queryset(self):
        return plan_versions_with_streams()

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        return c.with_etag(Response(plan_body(plan, request.user)), plan)

    def _locked(self, request) -> MonitoringPlan:
        plan = self.get_object()
        c.locked(MonitoringPlan, plan.pk)
        plan.refresh_from_db()
        c.check_if_match(request, plan)
        return plan

    def _answer(self, request, pk, code=status.HTTP_200_OK) -> Response:
        plan = self.base_queryset().get(pk=pk)
        return c.with_etag(Response(plan_body(plan, request.user), status=code), plan)

    @extend_schema(
        summary="Propose a new plan version (a copy of the approved one, if any)",
        request=PlanIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={201: PlanOut, **c.problems(400, 403, 409)},
    )
    @c.idempotent
    def create(self, request, *args, **kwargs):
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.is_firm_user:
            raise PermissionDenied(str(svc.NOT_YOUR_FIRM))
        plan = svc.plan_create(firm=request.user.firm, acting_user=request.user, **data.validated_data)
        response = self._answer(request, plan.pk, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/plans/{plan.pk}/"
        return response

    @extend_schema(
        summary="Change valid-from, notes or the checking body of a draft version",
        request=PlanChangeIn,
        parameters=[c.IF_MATCH],
        responses={200: PlanOut, **c.problems(400, 403, 404, 409, 412)},
    )
    def partial_update(self, request, *args, **kwargs):
        with transaction.atomic():
            plan = self._locked(request)
            data = PlanChangeIn(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            svc.plan_update(plan=plan, acting_user=request.user, **data.validated_data)
        return self._answer(request, plan.pk)

    @extend_schema(
        summary="Add a source stream to a draft version",
        request=StreamIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={201: PlanOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def streams(self, request, pk=None):
        plan = self._locked(request)
        data = StreamIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["source"] = get_object_or_404(EmissionSource, firm_id=plan.firm_id, code=values["source"])
        svc.plan_add_stream(plan=plan, acting_user=request.user, **values)
        return self._answer(request, plan.pk, status.HTTP_201_CREATED)

    def _stream(self, plan, code) -> PlanSourceStream:
        return get_object_or_404(plan_streams(plan).select_related("plan"), code=code)

    @extend_schema(
        summary="Remove a source stream from a draft version",
        parameters=[c.IF_MATCH],
        responses={200: PlanOut, **c.problems(403, 404, 409, 412)},
    )
    @action(detail=True, methods=["delete"], url_path=r"streams/(?P<code>[-a-zA-Z0-9_]{1,40})")
    def stream_remove(self, request, pk=None, code=None):
        with transaction.atomic():
            plan = self._locked(request)
            svc.plan_remove_stream(stream=self._stream(plan, code), acting_user=request.user)
        return self._answer(request, plan.pk)

    @extend_schema(
        summary="Say where one parameter of a stream comes from (replaces what was said)",
        request=ParameterIn,
        parameters=[c.IF_MATCH],
        responses={200: PlanOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(
        detail=True,
        methods=["put"],
        url_path=r"streams/(?P<code>[-a-zA-Z0-9_]{1,40})/parameters/(?P<name>[a-z_]{1,20})",
    )
    def parameter(self, request, pk=None, code=None, name=None):
        with transaction.atomic():
            plan = self._locked(request)
            data = ParameterIn(data=request.data)
            data.is_valid(raise_exception=True)
            if name not in PlanParameter.Name.values:
                raise serializers.ValidationError({"name": [f"one of {', '.join(PlanParameter.Name.values)}"]})
            svc.plan_set_parameter(
                stream=self._stream(plan, code), name=name, acting_user=request.user, **data.validated_data
            )
        return self._answer(request, plan.pk)

    @extend_schema(
        summary="What still keeps this version from being submitted",
        responses={200: ProblemsOut},
    )
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        return Response({"problems": [str(p) for p in svc.plan_problems(self.get_object())]})

    @extend_schema(
        summary="Submit the version for review (firm approver); returns the new state",
        request=c.ReasonIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={200: PlanOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def submit(self, request, pk=None):
        plan = self._locked(request)
        data = c.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        svc.plan_submit(plan=plan, acting_user=request.user, reason=data.validated_data["reason"])
        return self._answer(request, plan.pk)
