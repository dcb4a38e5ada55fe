"""Reading a question: chat out, spelling, lay words, focus, population and ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from medoracle.query.analysis import Analyser
from medoracle.query.asks import Ask, classify_ask
from medoracle.query.consumer import find_lay_terms, find_populations, looks_consumer, strip_chat
from medoracle.query.drug_classes import drug_classes
from medoracle.query.entities import EntityDictionary
from medoracle.query.focus import names_in
from medoracle.query.spelling import Speller


@pytest.fixture(scope="module")
def analyser(tmp_path_factory: pytest.TempPathFactory) -> Analyser:
    cache = tmp_path_factory.mktemp("cache")
    return Analyser.load(None, cache)  # dictionaries only: no library, no MeSH files


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("What is the dose of amoxicillin for acute otitis media in children?", Ask.DOSE),
        ("How is iron deficiency anemia diagnosed?", Ask.DIAGNOSIS),
        ("How should an acute gout flare be treated?", Ask.TREATMENT),
        ("what are the side effects of statins", Ask.ADVERSE_EFFECTS),
        ("How long should antibiotics be given for pneumonia?", Ask.TIMING),
        ("Does vitamin D prevent fractures?", Ask.PREVENTION),
        ("What is the outlook for pancreatic cancer?", Ask.PROGNOSIS),
        ("What causes gout?", Ask.CAUSE),
        ("What is gout?", Ask.DEFINITION),
        ("When should I see a doctor for a fever?", Ask.WHAT_TO_DO),
        ("Is the protein Papilin secreted?", Ask.YES_NO),
        ("er says bell palsy. will it go away", Ask.PROGNOSIS),
        ("what can i take for heartburn that wont go away", Ask.TREATMENT),
        ("does crohn disease run in families", Ask.CAUSE),
        ("how did my grandma get shingles?", Ask.CAUSE),
        ("is tylenol enough, what else helps?", Ask.TREATMENT),
        (
            "Which pregnant women should take low-dose aspirin to prevent preeclampsia?",
            Ask.PREVENTION,
        ),
        ("im 52, do i really need a colonoscopy?", Ask.PREVENTION),
        ("how much water should i drink so i dont get another one?", Ask.PREVENTION),
        ("doc says enlarged prostate. what pills work best?", Ask.TREATMENT),
        ("Up to what time from symptom onset can alteplase be given in stroke?", Ask.TIMING),
        ("What is the best therapy for gout?", Ask.TREATMENT),  # "what is" is a frame
    ],
)
def test_the_ask_is_read_from_the_wording(question: str, ask: Ask) -> None:
    assert classify_ask(question) is ask


def test_of_near_equal_asks_the_one_named_first_leads() -> None:
    question = "how much amoxicillin should she get and for how many days?"
    assert classify_ask(question, drugs=1) is Ask.DOSE
    # "how much" of no drug is no dose
    assert classify_ask("how much weight do i have to lose?") is not Ask.DOSE


def test_two_drugs_taken_together_ask_about_interactions() -> None:
    assert classify_ask("can i take tylenol with lipitor", drugs=2) is Ask.INTERACTIONS
    assert classify_ask("can i take tylenol with lipitor", drugs=0) is not Ask.INTERACTIONS


def test_chat_around_a_question_is_removed() -> None:
    text = "Hi doctor, I was wondering if you could tell me what helps gout? Thanks in advance!"
    assert strip_chat(text).lower().startswith("what helps gout")
    assert strip_chat("hello") == "hello"  # nothing left: the text stays


def test_lay_phrases_map_to_the_sources_terms() -> None:
    found = find_lay_terms("burning when i pee")
    assert found and "dysuria" in found[0].terms
    assert any("diuretics" in m.terms for m in find_lay_terms("is my water pill safe"))
    low = find_lay_terms("he is shaky and sweaty, his meter says 58")
    assert low and "hypoglycemia" in low[0].terms
    assert not find_lay_terms("my meter says 58 kg")
    wax = find_lay_terms("my ear feels totally plugged with wax")
    assert wax and "cerumen" in wax[0].terms
    assert not find_lay_terms("What is the first-line treatment for hypertension?")


def test_populations_are_found() -> None:
    names = [p.name for p in find_populations("does my 3 year old need antibiotics")]
    assert names == ["children"]
    assert [p.name for p in find_populations("hypertension in pregnancy")] == ["pregnancy"]
    assert [p.name for p in find_populations("my baby has a fever")] == ["infants"]
    # the baby a mother had is not the patient
    assert find_populations("had a c-section with my first baby 2 yrs ago") == []
    assert find_populations("i leak pee when i sneeze since having kids") == []


def test_consumer_wording_is_recognised() -> None:
    assert looks_consumer("my son has a rash what do i do", "my son has a rash what do i do", [], 0)
    clinical = "What is the first-line management of community-acquired pneumonia in adults?"
    assert not looks_consumer(clinical, clinical, [], 0)


def test_the_speller_fixes_medical_words_and_leaves_names() -> None:
    speller = Speller(
        {"diabetes": 100, "amoxicillin": 10, "heart": 50, "failure": 50, "papilin": 1},
        {"hart": 1000, "the": 10_000},
        lambda phrase: phrase == "heart failure",
    )
    text, corrections = speller.correct("diabetis and amoxicilin for hart failure")
    assert text == "diabetes and amoxicillin for heart failure"
    assert len(corrections) == 3
    assert speller.correct("is the hart a deer")[0] == "is the hart a deer"


def test_the_dictionary_knows_brand_names_and_lay_names(tmp_path: Path) -> None:
    dictionary = EntityDictionary.open(tmp_path)
    kinds = {
        m.surface: (m.name, m.kind) for m in dictionary.find("tylenol and high blood pressure")
    }
    assert kinds["tylenol"] == ("Acetaminophen", "drug")
    assert kinds["high blood pressure"][1] == "condition"
    assert "gerd" in dictionary.synonyms("gastroesophageal reflux")


def test_focus_keeps_the_modifier_and_names_the_drug(analyser: Analyser) -> None:
    analysis = analyser.analyse(
        "What is the dose of amoxicilin for acute otitis media in children?"
    )
    assert analysis.ask is Ask.DOSE
    assert analysis.main is not None and analysis.main.label == "Acute Otitis Media"
    assert [d.label for d in analysis.drugs] == ["Amoxicillin"]
    assert [p.name for p in analysis.populations] == ["children"]
    assert analysis.title_subject() == "Amoxicillin for Acute Otitis Media in Children"


def test_a_bare_complaint_asks_what_to_do(analyser: Analyser) -> None:
    analysis = analyser.analyse("burning when i pee")
    assert analysis.consumer
    assert analysis.ask is Ask.WHAT_TO_DO
    assert analysis.main is not None and analysis.main.named_in(names_in("dysuria"))


def test_a_drug_question_is_about_the_drug(analyser: Analyser) -> None:
    analysis = analyser.analyse("my mom has heart failure, is her water pill causing side effects?")
    assert analysis.ask is Ask.ADVERSE_EFFECTS
    assert analysis.main is not None and analysis.main.kind == "drug"


def test_a_narrower_condition_keeps_the_broader_one_as_such(analyser: Analyser) -> None:
    analysis = analyser.analyse("first-line treatment for community-acquired pneumonia in adults")
    main = analysis.main
    assert main is not None and main.label == "Community-Acquired Pneumonia"
    assert main.named_in(names_in("patients with community-acquired pneumonia"))
    assert not main.named_in(names_in("ventilator-associated pneumonia"))


def test_an_eponym_keeps_its_name_without_the_lost_apostrophe(analyser: Analyser) -> None:
    analysis = analyser.analyse("my daughter was just diagnosed with hodgkins lymphoma")
    assert analysis.main is not None and analysis.main.label == "Hodgkin Lymphoma"


def test_a_condition_named_as_an_outcome_is_not_the_subject(analyser: Analyser) -> None:
    analysis = analyser.analyse("my dad has afib. how much does it raise his chance of a stroke?")
    assert analysis.main is not None and analysis.main.label.startswith("Atrial Fibrillation")


def test_a_treatment_the_library_names_often_is_a_focus(tmp_path: Path) -> None:
    counts = {"oxygen therapy": 457, "long term oxygen therapy": 50, "guide oxygen therapy": 0}
    analyser = Analyser.load(None, tmp_path, library_count=lambda phrase: counts.get(phrase, 0))
    analysis = analyser.analyse(
        "Which patients with stable COPD qualify for long-term oxygen therapy, and for how long?"
    )
    treatment = analysis.treatment()
    assert treatment is not None and treatment.kind == "procedure"
    assert treatment.names == ("long term oxygen therapy", "oxygen therapy")
    assert analysis.title_subject().startswith("Long Term Oxygen Therapy in ")
    # a phrase the library does not hold names nothing
    assert analyser.analyse("Does guide therapy help COPD?").treatment() is None


def test_a_combination_has_the_classes_of_each_of_its_drugs() -> None:
    classes = drug_classes(["fluticasone and salmeterol"])
    assert "inhaled corticosteroids" in classes and "laba" in classes
    assert drug_classes(["omeprazole"]) and not drug_classes(["salt and pepper"])


def test_a_follow_up_takes_its_parents_subject(analyser: Analyser) -> None:
    parent = analyser.analyse("How is atrial fibrillation treated?")
    child = analyser.analyse("What about during pregnancy?").with_context(parent)
    assert child.main is not None and "Atrial Fibrillation" in child.main.label
    assert [p.name for p in child.populations] == ["pregnancy"]
