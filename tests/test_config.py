"""Settings: the dataclass and the table that documents every setting."""

from __future__ import annotations

from kgpub.config import SETTINGS, Settings

from .conftest import REPO


def test_the_password_never_shows_in_the_settings_repr() -> None:
    settings = Settings(remote_password="s3cret-pass")  # noqa: S106 - a test value
    assert "s3cret-pass" not in repr(settings)
    assert "***" in repr(settings)


def test_the_cli_documentation_lists_every_setting() -> None:
    documented = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert [name for name in SETTINGS if f"| `{name}` |" not in documented] == []
