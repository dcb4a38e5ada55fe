"""The question bank's checks (`eval.bank.check_bank`, `write_split`) as plain functions."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from medoracle.corpus.service import ingest_paths
from medoracle.errors import ConfigError
from medoracle.eval.bank import check_bank, load_bank, write_split
from medoracle.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "corpus" / "fixtures"


def test_check_reports_every_missing_document(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", data_dir=None)
    ingest_paths(settings, "ngc", [FIXTURES / "ngc"])  # none of the bank's documents
    report = check_bank(settings.library_path)
    bank = load_bank()
    covered = [q for q in bank if q.covered]
    assert (report["questions"], report["covered"]) == (len(bank), len(covered))
    missing = [f for f in report["findings"] if "is not in the library" in f]
    assert len(missing) == sum(len(q.documents) for q in covered)
    assert report["problems"] == len(report["findings"]) > len(missing)  # key points too
    assert sum(report["asks"].values()) == len(covered)


def test_write_split_reproduces_the_fixed_split_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "quality.json"
    report = write_split(path)
    written = json.loads(path.read_text("utf-8"))
    packaged = resources.files("medoracle.eval").joinpath("splits").joinpath("quality.json")
    fixed = json.loads(packaged.read_text("utf-8"))
    assert (written["dev"], written["test"]) == (fixed["dev"], fixed["test"])
    assert (report["dev"], report["test"]) == (len(fixed["dev"]), len(fixed["test"]))
    with pytest.raises(ConfigError, match="split is fixed"):
        write_split(path)
    with pytest.raises(ConfigError, match="split is fixed"):
        write_split()  # the package's own file exists
