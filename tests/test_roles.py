"""Roles (models/store/roles.py): viewer by default, editor and admin may change data, only admin manages accounts; the
shared editor password is gone."""
import pytest

from models.store import roles


@pytest.mark.parametrize("given, role", [("editor", "editor"), (" Admin ", "admin"), ("VIEWER", "viewer")])
def test_parse_role(given, role):
    assert roles.parse_role(given) == role


@pytest.mark.parametrize("given", ["", None, "root", "editors"])
def test_unknown_roles_are_refused(given):
    with pytest.raises(ValueError):
        roles.parse_role(given)


def test_who_may_do_what():
    assert [roles.can_edit(r) for r in (None, "viewer", "editor", "admin")] == [False, False, True, True]
    assert [roles.can_manage_accounts(r) for r in (None, "viewer", "editor", "admin")] == [False, False, False, True]


def test_the_shared_password_is_no_longer_read():
    assert not hasattr(roles, "editor_password") and not hasattr(roles, "check_password")
