"""Deadlines and notifications through the API: the calendar of the firms the caller may see (with each
deadline's status today) and the caller's own notifications (in their language), marked read one by one or all."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from mrv.api import conventions as c
from mrv.api.filters import BooleanFilter

from . import selectors, services
from .clock import shanghai_today
from .messages import notification_text
from .models import Notification


class DeadlineOut(serializers.Serializer):
    firm = serializers.IntegerField(source="deadline.firm.pk")
    year = serializers.IntegerField(source="deadline.year")
    kind = serializers.CharField(source="deadline.kind")
    label = serializers.CharField(source="deadline.label", help_text="in the caller's language")
    due_date = serializers.DateField(source="deadline.due_date")
    extension_days = serializers.IntegerField(source="deadline.extension_days")
    status = serializers.ChoiceField(choices=["met", "open", "overdue"])
    days_left = serializers.IntegerField(help_text="negative: overdue")
    met_on = serializers.DateField(allow_null=True)


class DeadlineQuery(serializers.Serializer):
    year = c.YearField(required=False, help_text="compliance year")


class DeadlineList(APIView):
    @extend_schema(
        summary="Deadlines of the firms you may see (default: last, this and next compliance year)",
        parameters=[DeadlineQuery],
        responses={200: DeadlineOut(many=True), **c.problems(400)},
    )
    def get(self, request):
        query = DeadlineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = shanghai_today()
        year = query.validated_data.get("year")
        deadlines = selectors.deadline_calendar(request.user, today, years=[year] if year else None)
        return Response(DeadlineOut(selectors.deadline_rows(deadlines, today), many=True).data)


class NotificationOut(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="in the caller's language")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "params", "url", "created_at", "read_at"]

    def get_text(self, notification) -> str:
        return str(notification_text(notification))


class MarkedOut(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationFilter(django_filters.FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", help_text="only unread ones")

    class Meta:
        model = Notification
        fields = ["unread"]


@extend_schema_view(
    list=extend_schema(summary="Your notifications, newest first"),
    retrieve=extend_schema(summary="One of your notifications", responses={200: NotificationOut, **c.problems(404)}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationOut
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notifications_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(summary="Mark one notification read", request=None, responses={200: NotificationOut})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(notification=notification, acting_user=request.user)
        notification.refresh_from_db()
        return Response(NotificationOut(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: MarkedOut},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked_read": services.notifications_mark_all_read(acting_user=request.user)})


urlpatterns = [path("deadlines/", DeadlineList.as_view(), name="api-deadlines")]
