from __future__ import annotations

from collections import Counter
from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.loaders.medquad import clean_question, normalise_answer
from medoracle.corpus.models import Audience, LoadedDocument, PassageKind, PubType


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("medquad").read(fixtures / "medquad" / "medquad.jsonl"))


def _loaded(fixtures: Path) -> list[LoadedDocument]:
    return [r for r in _read(fixtures) if isinstance(r, LoadedDocument)]


def test_answers_are_patient_information_from_named_sites(fixtures: Path) -> None:
    loaded = _loaded(fixtures)
    assert [r.document.id for r in loaded] == ["medquad:1-0000001_1-1", "medquad:9-0000001-3"]
    doc = loaded[0].document
    assert doc.title == "What are the symptoms of Imaginary Knee Cancer?"
    assert doc.source == "National Cancer Institute (cancer.gov)"
    assert doc.pub_type is PubType.PATIENT_INFORMATION
    assert (doc.evidence_level, doc.evidence_label) == (7, "Patient information")
    assert doc.audience is Audience.PATIENT
    assert doc.identifiers.url == "https://www.cancer.gov/types/example/patient/knee-cancer-pdq"
    assert doc.mesh == ["Imaginary Knee Cancer", "Knee tumour"]  # focus first, no repeat
    assert doc.extra == {
        "focus": "Imaginary Knee Cancer",
        "qtype": "symptoms",
        "cuis": ["C9999991"],
        "answer_id": "CancerGov_0000001_1_Sec1",  # the id LiveQA judgments use
    }


def test_records_without_umls_fields_still_load(fixtures: Path) -> None:
    cdc = _loaded(fixtures)[1]
    assert cdc.document.source == "Centers for Disease Control and Prevention"
    assert cdc.document.extra["cuis"] == []
    (passage,) = cdc.passages
    assert (passage.section, passage.kind) == ("Exams and Tests", PassageKind.ANSWER)
    assert passage.sentence_texts() == [
        "A stool test finds the worm eggs.",
        "A blood test is sometimes used.",
    ]


def test_inline_bullets_become_lines_of_their_own(fixtures: Path) -> None:
    (passage,) = _loaded(fixtures)[0].passages
    assert (passage.section, passage.kind, passage.audience) == (
        "Symptoms",
        PassageKind.ANSWER,
        Audience.PATIENT,
    )
    assert passage.sentence_texts() == [
        "Key Points",
        "- Knee cancer is made up for this test.",
        "- It causes swelling.",
        "- It may cause pain when walking.",
        "Check with your doctor if you have:",
        "- A lump.",
        "- Stiffness.",
        "These signs may have other causes.",
    ]


def test_text_helpers() -> None:
    assert clean_question("What is (are) Gout ?") == "What is (are) Gout?"
    assert (
        clean_question("Do you have information about  A1C") == "Do you have information about A1C"
    )
    assert normalise_answer("Signs :    - one    - two") == "Signs:\n\n- one\n\n- two"
    # a lone hyphen between words is not a bullet
    assert normalise_answer("mild - or severe") == "mild - or severe"


def test_removed_answers_are_expected_skips(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [(s.where, s.malformed) for s in skipped] == [
        ("medquad.jsonl:2", False),
        ("medquad.jsonl:3", False),
        ("medquad.jsonl:4", True),
        ("medquad.jsonl:5", True),
    ]
    assert skipped[0].reason == "answer removed for copyright (MedlinePlus)"
    assert skipped[1].reason == "no answer text"
    assert "JSON" in skipped[2].reason
    assert skipped[3].reason == "missing field 'uid'"


def test_real_file_counts(shared_data: Path) -> None:
    results = list(get_loader("medquad").read(shared_data / "medquad" / "medquad.jsonl.gz"))
    loaded = [r for r in results if isinstance(r, LoadedDocument)]
    skipped = Counter(r.reason for r in results if isinstance(r, Skipped))
    assert len(loaded) == 16407
    assert skipped == {"answer removed for copyright (MedlinePlus)": 31029, "no answer text": 5}
    assert abs(sum(len(r.passages) for r in loaded) - 27196) < 27196 * 0.02
    sources = Counter(r.document.source for r in loaded)
    assert sources["Genetics Home Reference"] == 5430
    assert sources["National Cancer Institute (cancer.gov)"] == 729
