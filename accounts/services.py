"""Writes on users and roles."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User
from accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, ROLE_TIER, Role


def roles_sync(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions ROLE_PERMISSIONS lists.

    Runs on every migrate (accounts/apps.py), once the permissions of every
    installed app exist. A permission whose model is not migrated yet
    (a partial `migrate <app> <migration>`) is skipped; the next migrate adds it.
    """
    with transaction.atomic(using=using):
        for role in Role:
            group, _ = Group.objects.using(using).get_or_create(name=role.value)
            wanted = ROLE_PERMISSIONS.get(role, [])
            perms = []
            for dotted in wanted:
                app_label, codename = dotted.split(".", 1)
                perm = (
                    Permission.objects.using(using)
                    .filter(content_type__app_label=app_label, codename=codename)
                    .first()
                )
                if perm is not None:
                    perms.append(perm)
            group.permissions.set(perms)


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> User:
    """Put the user in the role's group (and only that one) with the matching tier.

    Only the admin roles (managers) get is_staff; agents, engineers, leaders and
    customer contacts never use the admin site.
    """
    user.groups.set([Group.objects.get(name=role.value)])
    user.is_staff = role in ADMIN_ROLES or user.is_superuser
    user.tier = ROLE_TIER.get(role, "")
    user.save(update_fields=["is_staff", "tier"])
    if hasattr(user, "_role_names"):
        del user._role_names
    return user
