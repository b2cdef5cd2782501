from __future__ import annotations

from typing import Any

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import AuditEvent, Organisation, OrganisationRelationship, User
from dcp_platform.tenancy.models import Collection, Participation
from django.contrib import admin
from django.http import HttpRequest


class SupportAdminSite(admin.AdminSite):
    """Only support users (who must have verified a second factor) may use this admin."""

    site_header = "Support admin"
    site_title = "Support admin"
    index_title = "Organisations, users and collections"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_support", False) and user.is_verified())  # type: ignore[union-attr,attr-defined]


support_admin = SupportAdminSite(name="support_admin")


class AuditedAdmin(admin.ModelAdmin):
    """Every change made here goes to the audit trail."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: records in every collection schema refer to these rows

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"{obj._meta.model_name}_{'changed' if change else 'created'}",
            actor=request.user,  # type: ignore[arg-type]
            target=obj,
            details={"fields": sorted(form.changed_data)},
            request=request,
        )


class RelationshipInline(admin.TabularInline):
    model = OrganisationRelationship
    fk_name = "stock_owner"
    extra = 0
    verbose_name = "managing agent"
    verbose_name_plural = "Managing agents (may submit for this organisation)"


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0


@admin.register(Organisation, site=support_admin)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "code", "provider_type", "parent", "active"]
    list_filter = ["provider_type", "active"]
    search_fields = ["name", "code"]
    inlines = [RelationshipInline, ParticipationInline]


@admin.register(User, site=support_admin)
class UserAdmin(AuditedAdmin):
    list_display = ["name", "email", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "email"]
    fields = ["name", "email", "organisation", "role", "is_active", "groups"]
    filter_horizontal = ["groups"]


@admin.register(Collection, site=support_admin)
class CollectionAdmin(AuditedAdmin):
    list_display = ["title", "slug", "service_name", "theme"]
    fields = ["title", "service_name", "theme"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # collections come from installed plugins (manage.py ensure_collections)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).exclude(schema_name="public")


@admin.register(AuditEvent, site=support_admin)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "target_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["target_label", "actor__email"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
