from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, DutyShift, User
from accounts.tokens import AuthToken


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "city", "phone"]
    list_filter = ["region"]
    search_fields = ["name", "code", "region", "city"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "email",
        "phone",
        "branch",
        "tier",
        "roles",
        "is_active",
    ]
    list_filter = ["groups", "tier", "branch", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "phone", "phone_normalized"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Service organisation"), {"fields": ["phone", "branch", "tier"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Service organisation"), {"fields": ["email", "phone", "branch", "tier", "groups"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch").prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    """The duty roster (值班表): who is on duty for a branch, for holidays and events too.
    Managers plan it on the roster page (/duty/), which checks the branch; here they read."""

    list_display = ["engineer", "branch", "starts_at", "ends_at", "mode", "kind", "event", "note"]
    list_filter = ["branch", "kind", "mode"]
    search_fields = ["engineer__username", "engineer__first_name", "event", "note"]
    date_hierarchy = "starts_at"
    list_select_related = ["engineer", "branch"]
    raw_id_fields = ["site"]


# knox registers an admin that creates a token for any user and shows its key: a way
# to act as someone else. Ours only lists tokens and revokes them, for superusers only
# (managers use the admin too). knox comes before accounts in INSTALLED_APPS, so its
# registration is already there to replace.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """API tokens, one per device: who, since when, until when. Delete to revoke."""

    list_display = ["user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "created"
    # No digest and no key prefix on the page: nothing of the key is shown.
    fields = ["user", "created", "expiry"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
