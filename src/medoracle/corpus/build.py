"""`library build`: which datasets each profile ingests, found under the data folder."""

from __future__ import annotations

from pathlib import Path

from medoracle.corpus.loaders import Loader, get_loader, resolve_files
from medoracle.errors import ConfigError, SourceError

__all__ = ["PROFILES", "plan_build"]

# (format, folder under the data dir). The quick profile is everything but the trial full
# texts, which are three quarters of the text volume.
_QUICK = (
    ("ngc", "ngc_guidelines"),
    ("cochrane", "cochrane_pls"),
    ("pubmedqa", "pubmedqa"),
    ("bioasq", "bioasq"),
    ("medquad", "medquad"),
    ("medquad-judged", "medquad"),
)
PROFILES: dict[str, tuple[tuple[str, str], ...]] = {
    "quick": _QUICK,
    "full": (*_QUICK, ("evidence-inference", "evidence_inference")),
}


def plan_build(data_dir: Path | None, profile: str) -> list[tuple[Loader, Path]]:
    """The `(loader, file)` pairs a build ingests, checked before anything is written."""
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; expected one of: {', '.join(PROFILES)}")
    if data_dir is None:
        raise ConfigError(
            "no data folder: pass --from DIR or set MEDORACLE_DATA_DIR "
            "(the default, ../shared/data beside the project, does not exist)"
        )
    if not data_dir.is_dir():
        raise SourceError(f"{data_dir}: data folder not found")
    plan: list[tuple[Loader, Path]] = []
    for format_name, folder in PROFILES[profile]:
        loader = get_loader(format_name)
        if not (data_dir / folder).is_dir():
            raise SourceError(f"{data_dir / folder}: dataset folder for {format_name} not found")
        plan.extend((loader, path) for path in resolve_files(loader, data_dir / folder))
    return plan
