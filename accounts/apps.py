from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and roles")

    def ready(self) -> None:
        # Token revocation on password change, deactivation and logout (signal receivers).
        from accounts import tokens  # noqa: F401

        # Groups and their permissions follow the code, so a fresh database and an
        # upgraded one end up with the same roles.
        post_migrate.connect(
            _sync_roles_after_migrate,
            sender=self,
            weak=False,
            dispatch_uid="accounts.roles_sync_after_migrate",
        )


def _sync_roles_after_migrate(sender, *, using: str = "default", **kwargs) -> None:
    """Give every role its permissions at the end of a migrate, the first one included.

    post_migrate arrives app by app in INSTALLED_APPS order, and Django creates
    an app's permissions on that app's own signal: when accounts' signal
    arrives, the permissions of contracts, tickets, inspections and reports do
    not exist yet. So first create the content types and permissions of every
    installed app (idempotent; the same call Django makes per app), then sync.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    from accounts.services import roles_sync

    state_apps = kwargs.get("apps") or global_apps
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, interactive=False, using=using, apps=state_apps)
    roles_sync(using=using)
