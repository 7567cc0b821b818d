"""A firm's registry through the API: holdings, transactions, transfers (proposed by one representative,
approved by another, with the caps, delay and trusted list of `registry.services`), surrenders, its
compliance position and penalties. Accounts, transactions and proposals another tenant owns are 404;
approvals ask for a fresh second factor (`X-Second-Factor`), as the browser's step-up does.
"""

import django_filters
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from mrv import access, inputs
from mrv.api import conventions as c
from mrv.models import Firm
from registry import selectors, services
from registry.forms import UNKNOWN_ACCOUNT
from registry.ledger import Unit
from registry.models import ALLOWANCE, UNIT_TYPES, Account, Entry, Penalty, TransferProposal
from registry.models import Transaction as Tx

ONLY_THE_FIRM_SURRENDERS = _("Only the firm itself surrenders.")


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return access.visible_to(self.request.user, self.base_queryset())


# --- Shapes ------------------------------------------------------------------------------------------


class HoldingOut(serializers.Serializer):
    unit_type = serializers.CharField()
    vintage = serializers.IntegerField()
    project = serializers.CharField(allow_blank=True)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=0)


class AccountOut(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "number", "kind", "market", "firm"]


class EntryOut(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Entry
        fields = ["account", "unit_type", "vintage", "project", "quantity"]


class TransactionOut(serializers.ModelSerializer):
    entries = EntryOut(many=True, read_only=True)

    class Meta:
        model = Tx
        fields = ["id", "kind", "created_at", "compliance_year", "firm", "price_cny_per_t", "trade_date", "entries"]


class ProposalOut(serializers.ModelSerializer):
    from_account = serializers.SlugRelatedField(slug_field="number", read_only=True)
    to_account = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = TransferProposal
        fields = [
            "id",
            "from_account",
            "to_account",
            "unit_type",
            "vintage",
            "project",
            "quantity",
            "price_cny_per_t",
            "trade_date",
            "status",
            "created_at",
            "execute_after",
        ]


class ProposalIn(serializers.Serializer):
    from_account = serializers.CharField(max_length=40, help_text="your firm's holding account number")
    to_account = serializers.CharField(max_length=40, help_text="the receiving holding account number")
    unit_type = serializers.ChoiceField(choices=UNIT_TYPES, default=ALLOWANCE)
    vintage = serializers.IntegerField(min_value=2000, validators=[MaxValueValidator(inputs.last_year)])
    project = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=10**12)
    price_cny_per_t = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    trade_date = serializers.DateField(required=False, allow_null=True)


class OffsetIn(serializers.Serializer):
    unit_type = serializers.ChoiceField(choices=[u for u in UNIT_TYPES if u[0] != ALLOWANCE])
    vintage = serializers.IntegerField(min_value=2000, max_value=2100)
    project = serializers.CharField(max_length=60, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=10**12)


class AllowanceIn(serializers.Serializer):
    vintage = serializers.IntegerField(min_value=2000, max_value=2100)
    quantity = serializers.IntegerField(min_value=1, max_value=10**12)


class SurrenderIn(serializers.Serializer):
    year = c.YearField(help_text="the compliance year")
    allowances = AllowanceIn(many=True, required=False, default=list, max_length=100)
    offsets = OffsetIn(many=True, required=False, default=list, max_length=100)


class ComplianceOut(serializers.Serializer):
    year = serializers.IntegerField(source="status.year")
    status = serializers.CharField(source="status.status")
    obligation_tco2e = serializers.DecimalField(source="status.obligation_tco2e", max_digits=16, decimal_places=0)
    allowances_tco2e = serializers.DecimalField(source="status.allowances_tco2e", max_digits=16, decimal_places=0)
    offsets_tco2e = serializers.DecimalField(source="status.offsets_tco2e", max_digits=16, decimal_places=0)
    offset_headroom_tco2e = serializers.DecimalField(
        source="status.offset_headroom_tco2e", max_digits=16, decimal_places=0
    )
    shortfall_tco2e = serializers.DecimalField(source="status.shortfall_tco2e", max_digits=16, decimal_places=0)
    deadline = serializers.DateField(source="status.deadline", allow_null=True)
    late = serializers.BooleanField(source="status.late")
    penalty = serializers.SerializerMethodField(help_text="the penalty's id, if there is one")

    def get_penalty(self, position) -> int | None:
        return position.penalty.pk if position.penalty else None


class PenaltyOut(serializers.ModelSerializer):
    class Meta:
        model = Penalty
        fields = ["id", "firm", "year", "shortfall_tco2e", "fine_cny", "deduction_tco2e", "status", "created_at"]


class TransactionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Tx.Kind.choices)
    account = django_filters.CharFilter(field_name="entries__account__number", distinct=True, max_length=40)

    class Meta:
        model = Tx
        fields = ["kind", "account"]


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TransferProposal.Status.choices)

    class Meta:
        model = TransferProposal
        fields = ["status"]


# --- Accounts, transactions ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Registry accounts you may see"),
    retrieve=extend_schema(summary="One account", responses={200: AccountOut, **c.problems(404)}),
)
class AccountViewSet(ScopedViewSet):
    serializer_class = AccountOut

    def base_queryset(self):
        return selectors.accounts_in_order()

    @extend_schema(summary="Non-zero holdings by unit, vintage and project", responses={200: HoldingOut(many=True)})
    @action(detail=True, methods=["get"])
    def holdings(self, request, pk=None):
        return Response(HoldingOut(selectors.holdings(self.get_object()), many=True).data)

    @extend_schema(
        summary="Surrender allowances and offsets for a compliance year (the registry's checks apply)",
        request=SurrenderIn,
        parameters=[c.IDEMPOTENCY_KEY, c.SECOND_FACTOR],
        responses={201: TransactionOut, **c.problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def surrender(self, request, pk=None):
        account = selectors.account_visible(user=request.user, pk=pk)
        if not (request.user.is_firm_user and account.firm_id == request.user.firm_id):
            raise PermissionDenied(ONLY_THE_FIRM_SURRENDERS)
        data = SurrenderIn(data=request.data)
        data.is_valid(raise_exception=True)
        c.require_second_factor(request)
        values = data.validated_data
        tx = services.units_surrender(
            firm=account.firm,
            year=values["year"],
            allowances={a["vintage"]: a["quantity"] for a in values["allowances"]},
            offsets={Unit(o["unit_type"], o["vintage"], o["project"]): o["quantity"] for o in values["offsets"]},
            idempotency_key=f"surrender:api:{request.user.pk}:{request.headers['Idempotency-Key'][:60]}",
            acting_user=request.user,
        )
        return Response(
            TransactionOut(selectors.transactions_with_entries().get(pk=tx.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(summary="Ledger transactions you may see"),
    retrieve=extend_schema(
        summary="One transaction with its entries", responses={200: TransactionOut, **c.problems(404)}
    ),
)
class TransactionViewSet(ScopedViewSet):
    serializer_class = TransactionOut
    filterset_class = TransactionFilter

    def base_queryset(self):
        return selectors.transactions_with_entries()


# --- Transfers --------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Transfer proposals you may see"),
    retrieve=extend_schema(summary="One transfer proposal (ETag)", responses={200: ProposalOut, **c.problems(404)}),
)
class TransferViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = ProposalOut
    filterset_class = ProposalFilter

    def base_queryset(self):
        return selectors.proposals_newest_first()

    def retrieve(self, request, *args, **kwargs):
        proposal = self.get_object()
        return c.with_etag(Response(ProposalOut(proposal).data), proposal)

    @extend_schema(
        summary="Propose a transfer from your firm's account (a second representative approves it)",
        request=ProposalIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={201: ProposalOut, **c.problems(400, 403, 404, 409)},
    )
    @c.idempotent
    def create(self, request, *args, **kwargs):
        data = ProposalIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        from_account = selectors.account_by_number_visible(user=request.user, number=values["from_account"])
        to_account = selectors.holding_account_by_number(market_id=from_account.market_id, number=values["to_account"])
        if to_account is None:
            raise serializers.ValidationError({"to_account": [UNKNOWN_ACCOUNT % {"number": values["to_account"]}]})
        proposal = services.transfer_propose(
            from_account=from_account,
            to_account=to_account,
            unit=Unit(values["unit_type"], values["vintage"], values["project"]),
            quantity=values["quantity"],
            price_cny_per_t=values.get("price_cny_per_t"),
            trade_date=values.get("trade_date"),
            acting_user=request.user,
        )
        response = Response(ProposalOut(proposal).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/registry/transfers/{proposal.pk}/"
        return c.with_etag(response, proposal)

    def _decided(self, request, service, *, step_up: bool = False) -> Response:
        proposal = self.get_object()
        c.locked(TransferProposal, proposal.pk)
        proposal.refresh_from_db()
        c.check_if_match(request, proposal)
        if step_up:
            c.require_second_factor(request)
        data = c.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {} if service is services.transfer_approve else {"reason": data.validated_data["reason"]}
        proposal = service(proposal=proposal, acting_user=request.user, **kwargs)
        proposal.refresh_from_db()
        return c.with_etag(Response(ProposalOut(proposal).data), proposal)

    @extend_schema(
        summary="Approve (a second representative): executed now to a trusted account, else after the delay",
        request=c.ReasonIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH, c.SECOND_FACTOR],
        responses={200: ProposalOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def approve(self, request, pk=None):
        return self._decided(request, services.transfer_approve, step_up=True)

    @extend_schema(
        summary="Reject a proposed transfer",
        request=c.ReasonIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={200: ProposalOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def reject(self, request, pk=None):
        return self._decided(request, services.transfer_reject)

    @extend_schema(
        summary="Cancel a transfer still waiting for its delay",
        request=c.ReasonIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={200: ProposalOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def cancel(self, request, pk=None):
        return self._decided(request, services.transfer_cancel)


# --- Compliance and penalties ----------------------------------------------------------------------------


class ComplianceViewSet(viewsets.GenericViewSet):
    """A firm's compliance position, year by year (its obligation, what it surrendered, shortfall, penalty)."""

    queryset = Firm.objects.none()

    @extend_schema(
        summary="A firm's compliance position by year", responses={200: ComplianceOut(many=True), **c.problems(404)}
    )
    def retrieve(self, request, pk=None):
        firm = selectors.firm_visible(user=request.user, pk=pk)
        return Response(ComplianceOut(selectors.compliance_history(firm), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Penalties you may see"),
    retrieve=extend_schema(summary="One penalty", responses={200: PenaltyOut, **c.problems(404)}),
)
class PenaltyViewSet(ScopedViewSet):
    serializer_class = PenaltyOut

    def base_queryset(self):
        return selectors.penalties_in_order()
