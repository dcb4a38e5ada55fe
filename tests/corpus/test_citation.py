from __future__ import annotations

from medoracle.corpus.citation import citation_line
from medoracle.corpus.models import Document, Identifiers, PubType, Status


def _doc(**changes: object) -> Document:
    base: dict[str, object] = {
        "id": "pubmed:123",
        "title": "Drug X for condition Y: a randomized trial",
        "source": "Journal of Tests",
        "year": 2019,
        "identifiers": Identifiers(pmid="123", doi="10.1000/xyz"),
        "pub_type": PubType.RANDOMIZED_TRIAL,
        "evidence_level": 3,
        "evidence_label": "Randomized trial",
        "corpus": "pubmed",
    }
    return Document.model_validate({**base, **changes})


def test_citation_line_has_title_source_year_ids_type_and_status() -> None:
    assert citation_line(_doc()) == (
        "Drug X for condition Y: a randomized trial. Journal of Tests; 2019. "
        "PMID 123, doi:10.1000/xyz. [Randomized trial, level 3] Current."
    )


def test_question_titles_keep_their_mark_and_retractions_show() -> None:
    line = citation_line(
        _doc(title="Does X work?", status=Status.RETRACTED, status_note="Retracted (see PMID 9)")
    )
    assert line.startswith("Does X work? Journal of Tests; 2019.")
    assert line.endswith("[Randomized trial, level 3] Retracted (see PMID 9).")
