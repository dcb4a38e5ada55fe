from __future__ import annotations

import json
import shutil
from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import Audience, LoadedDocument, PubType

FIXTURE = "medquad_judged/liveqa_test_judged_answers_2479.jsonl"


def _read(folder: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("medquad-judged").read(folder / Path(FIXTURE).name))


def _folder(tmp_path: Path, fixtures: Path, with_corpus: bool) -> Path:
    shutil.copy(fixtures / FIXTURE, tmp_path)
    if with_corpus:
        record = {"uid": "3-0000001-1", "doc_id": "0000001", "pid": "1", "source": "GHR",
                  "answer": "Gizmo syndrome is invented."}  # fmt: skip
        (tmp_path / "medquad.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return tmp_path


def test_judged_answers_become_patient_information(tmp_path: Path, fixtures: Path) -> None:
    loaded = [r for r in _read(_folder(tmp_path, fixtures, True)) if isinstance(r, LoadedDocument)]
    assert [r.document.id for r in loaded] == [
        "medquad:ADAM_0009001_Sec1",
        "medquad:MPlusHerbsSuppls_0000099_Sec2",
    ]
    adam = loaded[0]
    assert adam.document.title == "What is (are) Widget fever?"
    assert adam.document.source == "A.D.A.M. Medical Encyclopedia (MedlinePlus)"
    assert (
        adam.document.identifiers.url
        == "https://www.nlm.nih.gov/medlineplus/ency/article/999001.htm"
    )
    assert adam.document.extra["answer_id"] == "ADAM_0009001_Sec1"
    assert (adam.document.pub_type, adam.document.audience) == (
        PubType.PATIENT_INFORMATION,
        Audience.PATIENT,
    )
    assert adam.passages[0].sentence_texts()[-2:] == ["- Rest at home.", "- Drink fluids."]
    assert loaded[1].document.source == "MedlinePlus Herbs and Supplements"


def test_answers_the_corpus_already_has_are_not_stored_twice(
    tmp_path: Path, fixtures: Path
) -> None:
    with_corpus = [r for r in _read(_folder(tmp_path, fixtures, True)) if isinstance(r, Skipped)]
    assert [(s.where, s.malformed) for s in with_corpus] == [
        ("liveqa_test_judged_answers_2479.jsonl:2", False),
        ("liveqa_test_judged_answers_2479.jsonl:4", True),
        ("liveqa_test_judged_answers_2479.jsonl:5", True),
    ]
    assert "AnswerID 'bad id'" in with_corpus[1].reason


def test_without_the_corpus_file_every_judged_answer_loads(tmp_path: Path, fixtures: Path) -> None:
    loaded = [r for r in _read(_folder(tmp_path, fixtures, False)) if isinstance(r, LoadedDocument)]
    assert "medquad:GHR_0000001_Sec1" in [r.document.id for r in loaded]


def test_real_judged_answers(shared_data: Path) -> None:
    path = shared_data / "medquad" / "liveqa_test_judged_answers_2479.jsonl.gz"
    results = list(get_loader("medquad-judged").read(path))
    loaded = [r for r in results if isinstance(r, LoadedDocument)]
    in_corpus = [r for r in results if isinstance(r, Skipped) and "corpus" in r.reason]
    repeated = [r for r in results if isinstance(r, Skipped) and "several" in r.reason]
    assert len(loaded) + len(in_corpus) + len(repeated) == 2479
    assert (len(loaded), len(in_corpus), len(repeated)) == (1535, 499, 445)
