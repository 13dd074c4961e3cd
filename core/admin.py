"""What the apps' admins share."""


class ReadOnlyAdmin:
    """An admin that reads and never writes: rows that change only through their services
    (which check, record and tell people), never by hand. Put before the ModelAdmin class."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
