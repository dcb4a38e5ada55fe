from __future__ import annotations

from pathlib import Path

import pytest

from medoracle.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`MEDORACLE_{name.upper()}`" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_description(name: str) -> None:
    assert Settings.model_fields[name].description


def test_environment_overrides_a_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "medoracle.toml"
    config.write_text("batch_size = 42\nmax_messages = 7\n", encoding="utf-8")
    monkeypatch.setenv("MEDORACLE_CONFIG", str(config))
    monkeypatch.setenv("MEDORACLE_MAX_MESSAGES", "9")
    settings = Settings()
    assert (settings.batch_size, settings.max_messages) == (42, 9)


def test_library_lives_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDORACLE_HOME", str(tmp_path))
    assert Settings().library_path == tmp_path / "library.sqlite"
