"""The editor role check (models/roles.py): configured password only, constant-time comparison."""
import hmac

import pytest

from models import roles


def test_secrets_win_over_the_environment():
    assert roles.editor_password({"editor_password": "from-secrets"}, {roles.ENV_VAR: "from-env"}) == "from-secrets"
    assert roles.editor_password({}, {roles.ENV_VAR: "from-env"}) == "from-env"
    assert roles.editor_password(None, {}) is None
    assert roles.editor_password({"editor_password": ""}, {roles.ENV_VAR: ""}) is None  # empty = not configured


def test_secrets_that_raise_count_as_absent():
    class NoSecretsFile:
        def get(self, key):
            raise FileNotFoundError("no secrets.toml")

    assert roles.editor_password(NoSecretsFile(), {roles.ENV_VAR: "x"}) == "x"


@pytest.mark.parametrize("given, expected, ok", [
    ("s3cret", "s3cret", True), ("s3cret ", "s3cret", False), ("S3CRET", "s3cret", False), ("", "s3cret", False),
    (None, "s3cret", False), ("anything", None, False), ("", "", False), ("密码", "密码", True),
])
def test_check_password(given, expected, ok):
    assert roles.check_password(given, expected) is ok


def test_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(roles.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert roles.check_password("a", "a")
    assert calls == [(b"a", b"a")]
