"""Data-entry mandates through the API (the services of `mrv.services.mandates`): a firm's approver entrusts a
person of another firm with the firm's data and ends the mandate; the entrusted person lists what they hold and
may give it back. Mandates another tenant owns are 404."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mrv.api import conventions as c
from mrv.api.views import ScopedViewSet
from mrv.models import DataEntryMandate
from mrv.services import mandates as svc
from mrv.workflow.mandates import mandate_actions


class MandateOut(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    firm_credit_code = serializers.CharField(source="firm.credit_code", read_only=True)
    grantee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    granted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    ended_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    actions = serializers.SerializerMethodField(help_text="what you may do now: `end`")

    class Meta:
        model = DataEntryMandate
        fields = [
            "id",
            "firm",
            "firm_name",
            "firm_credit_code",
            "grantee",
            "granted_by",
            "granted_at",
            "reason",
            "ended_at",
            "ended_by",
            "end_reason",
            "actions",
        ]

    def get_actions(self, mandate) -> list[str]:
        return sorted(mandate_actions(mandate, self.context["request"].user))


class MandateIn(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="a reporter or approver of another covered firm")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EndIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Your firm's data-entry mandates and those you hold (a regulator: its market's)",
        responses={200: MandateOut(many=True), **c.problems(400)},
    ),
    retrieve=extend_schema(summary="One mandate", responses={200: MandateOut, **c.problems(404)}),
)
class MandateViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = MandateOut

    def base_queryset(self):
        return DataEntryMandate.objects.select_related("firm", "grantee", "granted_by", "ended_by").order_by("pk")

    def _answer(self, request, pk, code=status.HTTP_200_OK) -> Response:
        mandate = self.base_queryset().get(pk=pk)
        return Response(MandateOut(mandate, context={"request": request}).data, status=code)

    @extend_schema(
        summary="Entrust a person of another firm with your firm's data (firm approver)",
        request=MandateIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={201: MandateOut, **c.problems(400, 403, 409)},
    )
    @c.idempotent
    def create(self, request, *args, **kwargs):
        data = MandateIn(data=request.data)
        data.is_valid(raise_exception=True)
        firm = request.user.firm if request.user.is_firm_user else None
        if firm is None:
            raise PermissionDenied(str(svc.NOT_GRANTER))
        mandate = svc.mandate_grant(firm=firm, acting_user=request.user, **data.validated_data)
        response = self._answer(request, mandate.pk, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/mandates/{mandate.pk}/"
        return response

    @extend_schema(
        summary="End the mandate (the firm's approver) or give it back (the entrusted person)",
        request=EndIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={200: MandateOut, **c.problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def end(self, request, pk=None):
        mandate = self.get_object()
        data = EndIn(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            svc.mandate_end(mandate=mandate, acting_user=request.user, **data.validated_data)
        return self._answer(request, mandate.pk)
