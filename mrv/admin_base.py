"""The admin's object-level scoping and auditing, shared by every app's admin.

Regulators see only their own market (through `mrv.access`); the national administrator sees
all. Every save through the admin asks for a reason and writes an audit row in the same
transaction; the history page shows the object's audit trail.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.audit import log_action
from mrv.models import AuditLog, User


def is_admin_user(user) -> bool:
    return user.is_active and user.is_staff and (user.is_national_admin or user.is_regulator)


class AuditReasonForm(forms.ModelForm):
    audit_reason = forms.CharField(
        label=_("Reason for this change"), max_length=500, help_text=_("Recorded in the audit trail.")
    )


class ScopedAdmin(admin.ModelAdmin):
    """Lists and opens only what `mrv.access` lets the user see; edits are audited."""

    form = AuditReasonForm
    regulator_may_change = False
    regulator_may_add = False
    audit_action_prefix: str | None = None

    def get_queryset(self, request):
        return access.visible_to(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return is_admin_user(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user) and (obj is None or access.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        if not self.has_view_permission(request, obj):
            return False
        return request.user.is_national_admin or (self.regulator_may_change and request.user.is_regulator)

    def has_add_permission(self, request):
        return is_admin_user(request.user) and (
            request.user.is_national_admin or (self.regulator_may_add and request.user.is_regulator)
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "audit_reason" in fields:
            fields.remove("audit_reason")
            if self.has_change_permission(request, obj) or obj is None:
                fields.append("audit_reason")
        return fields

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("audit_reason", "")
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = [f for f in form.changed_data if f != "audit_reason"]
            diff = {f: (getattr(before, f, None), getattr(obj, f, None)) for f in fields}
            meta = obj._meta
            prefix = self.audit_action_prefix or f"{meta.app_label}.{meta.model_name}"
            log_action(
                obj, f"{prefix}.{'changed' if change else 'created'}", actor=request.user, changes=diff, reason=reason
            )

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        rows = AuditLog.objects.for_object(obj).select_related("actor")
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "object": obj,
            "opts": self.opts,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """For workflow objects: their state changes only through services (admin actions), never a form."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


def role_label(user: User) -> str:
    return user.get_role_display() if user.role else ""
