"""One `Settings` object for the CLI, the web app and the tests.

Values come, in rising priority, from the defaults below, a TOML file (`MEDORACLE_CONFIG`,
else `medoracle.toml` in the home directory) and `MEDORACLE_*` environment variables.
Every field is described and bounded; `tests/test_settings.py` fails when the README's
settings table misses one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medoracle.settings.sections import (
    AnswerSettings,
    LlmSettings,
    PubmedSettings,
    RerankWeights,
    RetrievalSettings,
    WebSettings,
)

__all__ = [
    "PROJECT_ROOT",
    "AnswerSettings",
    "LlmSettings",
    "PubmedSettings",
    "RerankWeights",
    "RetrievalSettings",
    "Settings",
    "WebSettings",
    "default_data_dir",
    "get_settings",
]

# src/medoracle/settings/__init__.py -> the project root, when running from a checkout.
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("medoracle", appauthor=False))


def _default_cache() -> Path:
    return Path(platformdirs.user_cache_dir("medoracle", appauthor=False))


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

    model_config = SettingsConfigDict(
        env_prefix="MEDORACLE_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path = Field(
        default_factory=_default_home,
        description="directory holding the evidence library and its indexes",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache,
        description="derived files shared by libraries: the distilled static encoder, lexicons",
    )
    data_dir: Path | None = Field(
        default=None,
        description="open datasets folder for `library build`; default ../shared/data",
    )
    site_db: Path | None = Field(
        default=None,
        description="the web app's database of articles and reviews; default site.sqlite in home",
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
    secret_key: SecretStr | None = Field(
        default=None,
        description="the web app's key that signs CSRF tokens, at least 32 characters; unset "
        "or empty: `secret_key` in the home folder, made on first run, readable by its owner "
        "only",
    )

    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings,
        description="search settings; e.g. MEDORACLE_RETRIEVAL__RRF_K=60",
    )
    answer: AnswerSettings = Field(
        default_factory=AnswerSettings,
        description="answer settings; e.g. MEDORACLE_ANSWER__SUPPORT_FLOOR=0.5",
    )
    composer: Literal["extractive", "llm"] = Field(
        "extractive",
        description="who writes pages: the sources' own sentences, or a language model whose "
        "every statement is verified",
    )
    llm: LlmSettings = Field(
        default_factory=LlmSettings,
        description="language model settings; e.g. MEDORACLE_LLM__BASE_URL=http://127.0.0.1:8080/v1",
    )
    pubmed: PubmedSettings = Field(
        default_factory=PubmedSettings,
        description="live PubMed settings; e.g. MEDORACLE_PUBMED__ENABLED=true",
    )
    web: WebSettings = Field(
        default_factory=WebSettings,
        description="web app settings; e.g. MEDORACLE_WEB__ASK_PER_MINUTE=10",
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

    @property
    def site_path(self) -> Path:
        return self.site_db or self.home / "site.sqlite"

    def resolved_data_dir(self) -> Path | None:
        return self.data_dir or default_data_dir()


def get_settings() -> Settings:
    """The one place settings are built: defaults, the TOML file, then the environment.

    Built afresh on each call (a few milliseconds) rather than cached, so that a test or a
    long-running process that changes `MEDORACLE_*` variables sees the change; the CLI and
    the web app each call it once and pass the object down."""
    return Settings()
