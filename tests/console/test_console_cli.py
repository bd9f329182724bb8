"""`cartsync console` and its user commands."""

from __future__ import annotations

import stat

from typer.testing import CliRunner

from cartsync.cli import app
from cartsync.console.users import UserFile, verify_password

runner = CliRunner()


def test_add_user_stores_a_scrypt_hash_readable_by_its_owner_only(tmp_path):
    users = tmp_path / "users.yaml"
    result = runner.invoke(
        app, ["console", "add-user", "alice", "--role", "operator", "--users", str(users)],
        input="correct-horse-1\ncorrect-horse-1\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = users.read_text()
    assert "correct-horse-1" not in text and "scrypt$16384$8$1$" in text
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    alice = UserFile(users).get("alice")
    assert alice.role == "operator" and verify_password("correct-horse-1", alice.password_hash)
    assert not verify_password("correct-horse-2", alice.password_hash)

    result = runner.invoke(app, ["console", "passwd", "alice", "--users", str(users), "--password-stdin"],
                           input="another-horse-9\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    alice = UserFile(users).get("alice")
    assert verify_password("another-horse-9", alice.password_hash) and alice.role == "operator"
    listing = runner.invoke(app, ["console", "users", "--users", str(users)])
    assert listing.output.split() == ["alice", "operator", "password"]


def test_user_commands_explain_bad_input(tmp_path):
    users = str(tmp_path / "users.yaml")
    short = runner.invoke(
        app, ["console", "add-user", "bob", "--users", users, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "too short" in short.output
    role = runner.invoke(
        app, ["console", "add-user", "bob", "--role", "admin", "--users", users, "--no-password"]
    )
    assert role.exit_code == 2 and "Unknown role 'admin'" in role.output and "viewer" in role.output
    name = runner.invoke(app, ["console", "add-user", "bob smith", "--users", users, "--no-password"])
    assert name.exit_code == 2 and "not a usable user name" in name.output
    missing = runner.invoke(
        app, ["console", "passwd", "carol", "--users", users, "--password-stdin"], input="x" * 12
    )
    assert missing.exit_code == 2 and "no user 'carol'" in missing.output


def test_the_console_refuses_to_start_without_a_state_store_or_with_a_weak_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTSYNC_CONSOLE_SECRET", "x" * 40)
    result = runner.invoke(app, ["console", "--state", str(tmp_path / "none.db"), "--port", "0"])
    assert result.exit_code == 2 and "No state store at" in result.output and "Traceback" not in result.output
    (tmp_path / "state.db").touch()
    monkeypatch.setenv("CARTSYNC_CONSOLE_SECRET", "too-short")
    result = runner.invoke(app, ["console", "--state", str(tmp_path / "state.db"), "--port", "0"])
    assert result.exit_code == 2 and "CARTSYNC_CONSOLE_SECRET" in result.output
    result = runner.invoke(app, ["console", "--state", str(tmp_path / "state.db"), "--auth", "proxy",
                                 "--trusted-proxy", "not-an-ip"])  # fmt: skip
    assert result.exit_code == 2 and "not-an-ip" in result.output
