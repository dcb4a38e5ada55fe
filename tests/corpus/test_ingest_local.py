"""Drug labels and a clinic's own documents, ingested into a library through the service
functions the CLI calls."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from medoracle.corpus.citation import citation_line
from medoracle.corpus.local import document_meta, ingest_documents
from medoracle.corpus.models import PubType
from medoracle.corpus.service import ingest_paths
from medoracle.corpus.store import Library
from medoracle.errors import ConfigError
from medoracle.settings import Settings
from minipdf import write_pdf

EXAMPLOMYCIN = "dailymed:7d1a3e52-95b0-4c1e-8f3a-2b6c0d9e4f10"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", data_dir=None)


def _types(settings: Settings) -> dict[str, tuple[str, int, str, str | None]]:
    with Library.open(settings.library_path) as lib:
        rows = lib.conn.execute(
            "SELECT id, pub_type, evidence_level, evidence_label, source FROM documents"
        ).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def test_labels_land_as_drug_labels_and_a_rerun_changes_nothing(
    settings: Settings, fixtures: Path
) -> None:
    summary = ingest_paths(settings, "dailymed-spl", [fixtures / "dailymed" / "bulk_release.zip"])
    assert (summary["outcome"], summary["added"], summary["skipped"]) == ("complete", 2, 0)
    assert _types(settings)[EXAMPLOMYCIN] == (
        "drug_label", 2, "Drug label", "DailyMed: Invented Pharma, Inc.",
    )  # fmt: skip
    with Library.open(settings.library_path) as lib:
        document = lib.document(EXAMPLOMYCIN)
        passages = lib.passages(EXAMPLOMYCIN)
    assert document is not None and document.mesh == ["Examplomycin", "Examplomycin Hydrochloride"]
    assert citation_line(document).endswith("[Drug label, level 2] Current.")
    assert any(p.section.endswith("2.1 Recommended Dosage in Adults") for p in passages)
    again = ingest_paths(settings, "dailymed-spl", [fixtures / "dailymed" / "labels.zip"])
    assert (again["added"], again["unchanged"]) == (0, 2)  # same labels, flat or nested


def test_a_bad_member_costs_that_label_only(
    settings: Settings, fixtures: Path, tmp_path: Path
) -> None:
    mixed = tmp_path / "mixed.zip"
    with zipfile.ZipFile(mixed, "w") as archive:
        archive.writestr("bomb.xml", '<!DOCTYPE d [<!ENTITY a "a">]><d>&a;</d>')
        archive.write(fixtures / "dailymed" / "examplomycin.xml", "examplomycin.xml")
    summary = ingest_paths(settings, "dailymed-spl", [mixed])
    assert (summary["added"], summary["skipped_reasons"]) == (1, {"malformed record": 1})
    assert list(_types(settings)) == [EXAMPLOMYCIN]


def test_documents_land_graded_and_visibly_local(
    settings: Settings, fixtures: Path, tmp_path: Path
) -> None:
    scan = write_pdf(tmp_path / "scan.pdf", [[]])
    summary = ingest_paths(settings, "document", [fixtures / "documents", scan])
    assert (summary["outcome"], summary["added"]) == ("completed with errors", 2)
    assert summary["skipped_reasons"] == {"unreadable file": 1}
    assert _types(settings) == {  # nothing of the scan is written
        "local:sore-throat-adults": (
            "guideline", 1, "Guideline", "Local document: Riverside Clinic",
        ),
        "local:fever-leaflet": (
            "patient_information", 7, "Patient information", "Local document: Riverside Clinic",
        ),
    }  # fmt: skip
    with Library.open(settings.library_path) as lib:
        document = lib.document("local:sore-throat-adults")
    assert document is not None and document.corpus == "local"
    assert citation_line(document).startswith(
        "Sore throat in adults: clinic pathway. Local document: Riverside Clinic; 2023."
    )


def test_options_over_the_sidecar(settings: Settings, fixtures: Path) -> None:
    meta = document_meta(body="Northside Practice", type="systematic_review", year=2025)
    summary = ingest_documents(settings, [fixtures / "documents" / "sore_throat.md"], meta)
    assert (summary["format"], summary["added"]) == ("document", 1)
    assert _types(settings)["local:sore-throat-adults"] == (
        "systematic_review", 2, "Systematic review", "Local document: Northside Practice",
    )  # fmt: skip


def test_option_words_are_checked(fixtures: Path, settings: Settings) -> None:
    assert document_meta() is None
    with pytest.raises(ConfigError, match=r"unknown type 'blog'; expected one of: .*drug_label"):
        document_meta(type="blog")
    with pytest.raises(ConfigError, match="unknown audience 'nurses'"):
        document_meta(audience="nurses")
    with pytest.raises(ConfigError, match="invalid --year"):
        document_meta(year=3000)
    with pytest.raises(ConfigError, match="--id and --title name one document; 2 files"):
        ingest_documents(settings, [fixtures / "documents"], document_meta(title="One title"))
    assert PubType.DRUG_LABEL.value == "drug_label"
