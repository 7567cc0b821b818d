from django.contrib import admin

from signin.models import ApiToken, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: the record is append-only (the regulator's page is /security/events/)."""

    list_display = ["at", "username", "source_ip", "action", "outcome", "object_ref"]
    list_filter = ["action", "outcome"]
    search_fields = ["username", "source_ip"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_national_admin


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued and revoked on /accounts/tokens/; the admin only lists them."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "revoked_at"]
    exclude = ["key_sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_national_admin
