"""The admin's object-level scoping and auditing, shared by every app's admin.

Regulators see only their own market (through `mrv.access`); the national administrator sees
all. Every foreign-key and many-to-many choice is limited to what `access.regulated_by` allows
(the form refuses any other id on the server). Every save through the admin asks for a reason
and writes an audit row with the field changes of the object and of its inlines in the same
transaction; the history page shows the object's audit trail. An officer's change of an
allocation input waits for a head (`mrv.services.pending_changes`).
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mrv import access
from mrv.audit import log_action
from mrv.models import User
from mrv.selectors.audit import audit_trail, stored_row
from mrv.services import pending_changes

HELD_FOR_APPROVAL = _("The change is held until a regulator head approves it (changes awaiting approval).")


def _valid_keys(field: models.Field, values) -> list:
    """Selected values an autocomplete widget may look up: ids that are not ids are dropped, not queried."""
    target = field.target_field
    kept = []
    for value in values:
        try:
            target.clean(value, None)
            target.get_prep_value(value)
        except (ValidationError, ValueError, TypeError):
            continue
        kept.append(value)
    return kept


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete re-renders a refused form by querying the posted value as it is; a value
    such as "NaN" would then raise. Only values that are valid keys are looked up."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _valid_keys(self.field, value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _valid_keys(self.field, value), attr)


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many choice limited to what the user may regulate (admins and inlines)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = access.regulated_by(request.user, formfield.queryset)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            )
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = access.regulated_by(request.user, formfield.queryset)
        return formfield


def _shown(value):
    if value is None or isinstance(value, str | int | float | bool | Decimal | datetime.date):
        return value
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [str(v) for v in value]
    return str(value)


def _secret(field: forms.Field, name: str) -> bool:
    return isinstance(field.widget, forms.PasswordInput) or "password" in name


def form_changes(form, prefix: str = "") -> dict:
    """{field: (before, after)} of a bound, valid model form, the initial values being the "before"."""
    changes = {}
    for name in form.changed_data:
        if name in ("audit_reason", "DELETE", "id") or name not in form.fields:
            continue
        if _secret(form.fields[name], name):
            changes[f"{prefix}{name}"] = ("***", "***")  # that it changed, never the value
            continue
        before = form.initial.get(name)
        if isinstance(form.fields[name], forms.ModelChoiceField) and before is not None:
            before = form.fields[name].queryset.model._default_manager.filter(pk__in=_as_list(before))
            before = [str(o) for o in before]
        changes[f"{prefix}{name}"] = (_shown(before), _shown(form.cleaned_data.get(name)))
    return changes


def _as_list(value):
    return list(value) if isinstance(value, list | tuple | set) else [value]


def formset_changes(formset) -> dict:
    """The field changes of every inline row: new, changed and deleted ones, named by row."""
    changes = {}
    label = formset.model._meta.model_name
    for form in formset.forms:
        if not form.has_changed() or not hasattr(form, "cleaned_data"):
            continue
        row = f"{label}[{form.instance.pk or 'new'}]"
        if form.cleaned_data.get("DELETE") and form.instance.pk:
            changes[f"{row}"] = (str(form.instance), None)
            continue
        changes |= form_changes(form, prefix=f"{row}.")
    return changes


def is_admin_user(user) -> bool:
    return user.is_active and user.is_staff and (user.is_national_admin or user.is_regulator)


class AuditReasonForm(forms.ModelForm):
    audit_reason = forms.CharField(
        label=_("Reason for this change"), max_length=500, help_text=_("Recorded in the audit trail.")
    )


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Lists and opens only what `mrv.access` lets the user see; edits, inline ones included, are audited."""

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
        if pending_changes.needs_head_approval(request.user, type(obj)):
            before = stored_row(obj) if change else None
            fields = [f for f in form.changed_data if f != "audit_reason"] if change else list(form.cleaned_data)
            fields = [f for f in fields if f in {x.name for x in obj._meta.concrete_fields}]
            pending_changes.pending_change_propose(
                instance=obj, fields=fields, reason=reason, acting_user=request.user, before=before
            )
            request._held_for_approval = True
            return
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            form._audit_changes = form_changes(form)
            form._audit_change = change

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_held_for_approval", False):
            return
        inline_changes = {}
        for formset in formsets:
            inline_changes |= formset_changes(formset)
        super().save_related(request, form, formsets, change)
        obj = form.instance
        meta = obj._meta
        prefix = self.audit_action_prefix or f"{meta.app_label}.{meta.model_name}"
        log_action(
            obj,
            f"{prefix}.{'changed' if change else 'created'}",
            actor=request.user,
            changes=getattr(form, "_audit_changes", {}) | inline_changes,
            reason=form.cleaned_data.get("audit_reason", ""),
        )

    def save_formset(self, request, form, formset, change):
        if not pending_changes.needs_head_approval(request.user, formset.model):
            return super().save_formset(request, form, formset, change)
        reason = form.cleaned_data.get("audit_reason", "")
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or row.cleaned_data.get("DELETE"):
                continue
            before = stored_row(row.instance)
            fields = [f for f in row.changed_data if f in {x.name for x in row.instance._meta.concrete_fields}]
            if not before:
                fields = sorted(set(fields) | {formset.fk.name})
            pending_changes.pending_change_propose(
                instance=row.instance, fields=fields, reason=reason, acting_user=request.user, before=before
            )
        messages.info(request, HELD_FOR_APPROVAL)

    def log_addition(self, request, obj, message):
        if not getattr(request, "_held_for_approval", False):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, "_held_for_approval", False):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_held_for_approval", False):
            return self._held_response(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_held_for_approval", False):
            return self._held_response(request)
        return super().response_change(request, obj)

    def _held_response(self, request):
        messages.info(request, HELD_FOR_APPROVAL)
        return HttpResponseRedirect(reverse("admin:mrv_pendingchange_changelist"))

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        rows = audit_trail(obj)
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
