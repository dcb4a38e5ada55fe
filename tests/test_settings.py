from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from medoracle.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _variables(model: type[BaseModel], prefix: str = "MEDORACLE_") -> dict[str, FieldInfo]:
    """Every leaf setting as its environment variable name."""
    found: dict[str, FieldInfo] = {}
    for name, info in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            found.update(_variables(nested, f"{variable}__"))
        else:
            found[variable] = info
    return found


@pytest.mark.parametrize("variable", sorted(_variables(Settings)))
def test_every_setting_is_documented_in_the_readme(variable: str) -> None:
    assert f"`{variable}`" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize(("variable", "info"), sorted(_variables(Settings).items()))
def test_every_setting_has_a_description(variable: str, info: FieldInfo) -> None:
    assert info.description, variable


def test_nested_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDORACLE_RETRIEVAL__WEIGHTS__MATCH", "0.25")
    monkeypatch.setenv("MEDORACLE_RETRIEVAL__RRF_K", "30")
    settings = Settings()
    assert (settings.retrieval.weights.match, settings.retrieval.rrf_k) == (0.25, 30)


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
