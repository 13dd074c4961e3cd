from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and roles")

    def ready(self) -> None:
        from accounts.services import roles_sync

        # Groups and their permissions follow the code, so a fresh database and an
        # upgraded one end up with the same roles.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, weak=False)
        self._roles_sync = roles_sync


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from accounts.services import roles_sync

    roles_sync(using=kwargs.get("using", "default"))
