"""Issue 9: is_staff follows the role; the migration takes it away from who had it before."""

import importlib

import pytest
from django.apps import apps

from accounts.roles import Role
from accounts.services import user_assign_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_managers_get_the_staff_flag_and_a_role_change_takes_it_away(installed_defaults):
    users = {role: UserFactory(username=role.value, role=role) for role in Role}
    assert {role for role, user in users.items() if user.is_staff} == {Role.MANAGER}
    manager = user_assign_role(user=users[Role.MANAGER], role=Role.ENGINEER)
    manager.refresh_from_db()
    assert not manager.is_staff


def test_the_migration_clears_the_flag_left_on_agents_and_engineers(installed_defaults):
    migration = importlib.import_module("accounts.migrations.0003_staff_follows_admin_role")
    engineer = UserFactory(username="eng", role=Role.ENGINEER)
    manager = UserFactory(username="mgr", role=Role.MANAGER)
    root = UserFactory(username="root", is_superuser=True)
    for user in (engineer, root):
        user.is_staff = True
        user.save()
    migration.forwards(apps, None)
    for user in (engineer, manager, root):
        user.refresh_from_db()
    flags = {u.username: u.is_staff for u in (engineer, manager, root)}
    assert flags == {"eng": False, "mgr": True, "root": True}
