"""`ingest dailymed-spl` and `ingest document` from the command line, and pages that gain a
cited reference from them: a dose question answered from a drug label, a clinic's own
pathway cited as a local document."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import run as _run
from medoracle.answer.model import Answer

FIXTURES = Path(__file__).parents[1] / "corpus" / "fixtures"


def _library() -> None:
    for args in (("ngc", FIXTURES / "ngc"), ("medquad", FIXTURES / "medquad")):
        code, _, err = _run("ingest", args[0], str(args[1]), "--no-index")
        assert code == 0, err


def test_a_dose_question_cites_the_drug_label(home: Path) -> None:
    _library()
    code, _, err = _run("ingest", "dailymed-spl", str(FIXTURES / "dailymed" / "labels.zip"))
    assert code == 0, err
    code, out, err = _run("ask", "What is the dose of examplomycin?", "--format", "json")
    assert code == 0, err
    answer = Answer.model_validate(json.loads(out))
    assert [r.type_label for r in answer.references] == ["Drug label"]
    assert "250 mg orally twice daily" in answer.text() and "[see" not in answer.text()


def test_a_clinic_pathway_is_cited_as_a_local_document(home: Path) -> None:
    _library()
    pathway = FIXTURES / "documents" / "sore_throat.md"
    code, out, err = _run("ingest", "document", str(pathway), "--year", "2024", "--json")
    assert code == 0, err
    assert json.loads(out)["added"] == 1
    question = "what antibiotic dose for sore throat in adults with a score of 4?"
    code, out, err = _run("ask", question, "--format", "json")
    assert code == 0, err
    answer = Answer.model_validate(json.loads(out))
    cited = answer.references[answer.bottom_line[0].citations[0] - 1]
    assert (cited.source, cited.year) == ("Local document: Riverside Clinic", 2024)  # option
    assert "phenoxymethylpenicillin 500 mg four times daily" in answer.bottom_line[0].text


def test_document_options_for_another_format_are_one_line(home: Path) -> None:
    code, _, err = _run("ingest", "ngc", str(FIXTURES / "ngc"), "--body", "Clinic")
    assert code == 1 and "--body: only for the document format" in err
    code, _, err = _run("ingest", "document", str(FIXTURES / "documents"), "--title", "One")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
