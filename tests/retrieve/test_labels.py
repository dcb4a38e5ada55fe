"""Drug questions prefer the drug label's matching section; other questions, and libraries
without labels, are unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import write_cochrane
from medoracle.corpus.service import ingest_paths
from medoracle.query.analysis import FocusTerm, QuestionAnalysis
from medoracle.query.asks import Ask
from medoracle.query.consumer import Population
from medoracle.retrieve.evidence import _search, gather
from medoracle.retrieve.labels import label_sections, prefer_label_sections, wanted_sections
from medoracle.retrieve.search import Retriever
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "corpus" / "fixtures"
EXAMPLOMYCIN = "dailymed:7d1a3e52-95b0-4c1e-8f3a-2b6c0d9e4f10"
PLACEBRINE = "dailymed:a4e2c6d8-1b3f-4e5a-8c7d-9f0e1d2c3b4a"
PREGNANCY = Population("pregnancy", ("pregnancy",), "pregnant")


def _drug(name: str) -> FocusTerm:
    return FocusTerm(label=name.capitalize(), kind="drug", names=(name,))


def _asked(text: str, ask: Ask, *focus: FocusTerm, populations: tuple[Population, ...] = ()
           ) -> QuestionAnalysis:  # fmt: skip
    return QuestionAnalysis(original=text, text=text, ask=ask, consumer=False, focus=focus,
                            populations=populations)  # fmt: skip


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Retriever]:
    """The retrieve tests' small library, with the two invented labels added."""
    home = tmp_path_factory.mktemp("labelled")
    settings = Settings(home=home, data_dir=None)
    ingest_paths(settings, "ngc", [FIXTURES / "ngc"])
    ingest_paths(settings, "medquad", [FIXTURES / "medquad"])
    ingest_paths(settings, "cochrane", [write_cochrane(home / "reviews.jsonl", 40)])
    ingest_paths(settings, "dailymed-spl", [FIXTURES / "dailymed" / "labels.zip"])
    yield open_retriever(settings, dense=False, understand=False)


def test_the_table_maps_asks_and_populations_to_sections() -> None:
    table = label_sections()
    assert table.asks[Ask.DOSE][0] == "34068-7"
    dose = _asked("dose of examplomycin", Ask.DOSE, _drug("examplomycin"))
    assert wanted_sections(dose) == ("34068-7", "43678-2")
    pregnant = _asked("is placebrine safe in pregnancy", Ask.ADVERSE_EFFECTS, _drug("placebrine"),
                      populations=(PREGNANCY,))  # fmt: skip
    assert wanted_sections(pregnant)[0] == "42228-7"  # the population first, then the harms
    assert "34084-4" in wanted_sections(pregnant)
    assert wanted_sections(_asked("dose", Ask.DOSE)) == ()  # no drug named
    treat = _asked("treat pneumonia with examplomycin", Ask.TREATMENT, _drug("examplomycin"))
    assert wanted_sections(treat) == ()


def test_a_dose_question_gets_the_labels_dosage_passage_first(labelled: Retriever) -> None:
    analysis = _asked("What dose of examplomycin in invented fever?", Ask.DOSE,
                      _drug("examplomycin"))  # fmt: skip
    plain = _search(labelled, analysis, analysis.search_text, 20, False)
    # On words alone a fever guideline leads, and the label is read through another section.
    assert plain[0][1].doc_id == "ngc:9002"
    assert {h.doc_id: h.section for _, h in plain}[EXAMPLOMYCIN] == "4 Contraindications"
    preferred = prefer_label_sections(labelled, analysis, plain)
    [(rank, hit), *rest] = preferred
    assert (rank, hit.doc_id, hit.section) == (
        0, EXAMPLOMYCIN, "2 Dosage and administration / 2.1 Recommended Dosage in Adults",
    )  # fmt: skip
    assert hit.text.startswith("The recommended dosage of Examplomycin for adults is 250 mg")
    assert [h.doc_id for _, h in rest] == [h.doc_id for _, h in plain if h.doc_id != EXAMPLOMYCIN]
    evidence = gather(labelled, analysis)
    assert evidence.documents[0].doc_id == EXAMPLOMYCIN and evidence.documents[0].rank == 0
    assert PLACEBRINE not in [d.doc_id for d in evidence.documents[:1]]  # another drug's label


@pytest.mark.parametrize(
    ("ask", "drug", "populations", "doc_id", "section"),
    [
        (Ask.INTERACTIONS, "examplomycin", (), EXAMPLOMYCIN, "7 Drug interactions"),
        (Ask.ADVERSE_EFFECTS, "examplomycin", (), EXAMPLOMYCIN, "Warning: tendon rupture"),
        (Ask.YES_NO, "placebrine", (PREGNANCY,), PLACEBRINE, "Precautions / Pregnancy"),
        (Ask.DOSE, "placebrine", (), PLACEBRINE, "Dosage and administration"),
    ],
)
def test_each_drug_ask_gets_its_section(
    labelled: Retriever, ask: Ask, drug: str, populations: tuple[Population, ...],
    doc_id: str, section: str,
) -> None:  # fmt: skip
    analysis = _asked(f"question about {drug}", ask, _drug(drug), populations=populations)
    [(rank, hit), *_] = prefer_label_sections(labelled, analysis, [])
    assert (rank, hit.doc_id, hit.section) == (0, doc_id, section)


def test_other_questions_keep_their_evidence(labelled: Retriever, retriever: Retriever) -> None:
    treatment = _asked("How is pneumonia treated with examplomycin?", Ask.TREATMENT,
                       _drug("examplomycin"))  # fmt: skip
    hits = _search(labelled, treatment, treatment.search_text, 20, False)
    assert prefer_label_sections(labelled, treatment, hits) == hits
    # A library without labels (the bundled one has none): a dose question is unchanged.
    dose = _asked("What dose of examplomycin for tremor?", Ask.DOSE, _drug("examplomycin"))
    plain = _search(retriever, dose, dose.search_text, 20, False)
    assert prefer_label_sections(retriever, dose, plain) == plain
    # A drug with no label in the library: unchanged too.
    other = _asked("What dose of amoxicillin?", Ask.DOSE, _drug("amoxicillin"))
    found = _search(labelled, other, other.search_text, 20, False)
    assert prefer_label_sections(labelled, other, found) == found
