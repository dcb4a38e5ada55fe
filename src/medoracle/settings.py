"""One `Settings` object for the CLI, the web app and the tests.

Values come, in rising priority, from the defaults below, a TOML file (`MEDORACLE_CONFIG`,
else `medoracle.toml` in the home directory) and `MEDORACLE_*` environment variables.
Every field is described and bounded; `tests/test_settings.py` fails when the README's
settings table misses one.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["PROJECT_ROOT", "Settings", "default_data_dir"]

# src/medoracle/settings.py -> the project root, when running from a checkout.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("medoracle", appauthor=False))


def default_data_dir() -> Path | None:
    """`../shared/data` beside the project root (or the working directory), if present."""
    for base in (PROJECT_ROOT, Path.cwd()):
        candidate = (base.parent / "shared" / "data").resolve()
        if candidate.is_dir():
            return candidate
    return None


class Settings(BaseSettings):
    """medoracle's settings. Environment variables are the field names upper-cased with
    the `MEDORACLE_` prefix, e.g. `MEDORACLE_HOME`."""

    model_config = SettingsConfigDict(env_prefix="MEDORACLE_", extra="forbid")

    home: Path = Field(
        default_factory=_default_home,
        description="directory holding the evidence library and its indexes",
    )
    data_dir: Path | None = Field(
        default=None,
        description="open datasets folder for `library build`; default ../shared/data",
    )
    batch_size: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="documents written per ingest transaction",
    )
    max_messages: int = Field(
        default=100,
        ge=0,
        le=100_000,
        description="malformed-record lines printed per ingest before they are only counted",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = os.environ.get("MEDORACLE_CONFIG")
        home = os.environ.get("MEDORACLE_HOME")
        path = Path(config) if config else Path(home or _default_home()) / "medoracle.toml"
        toml = TomlConfigSettingsSource(settings_cls, toml_file=path)
        return init_settings, env_settings, toml

    @property
    def library_path(self) -> Path:
        return self.home / "library.sqlite"

    def resolved_data_dir(self) -> Path | None:
        return self.data_dir or default_data_dir()
