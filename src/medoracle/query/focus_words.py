"""The word lists query understanding reads a question's focus with: words of intent (what
kind of answer is wanted, or who asks), modifiers that belong in a condition's name, words
that are never the subject, nouns that end a treatment's or a disease's name, and names
too generic to be a subject. Vocabularies, written by hand; `medoracle.query.finder` and
`medoracle.query.analysis` read them."""

from __future__ import annotations

import re

__all__ = [
    "DISEASE_NOUN",
    "GENERIC_NAMES",
    "HEAD_NOUNS",
    "INTENT_WORDS",
    "MODIFIERS",
    "NON_SUBJECT",
    "OUTCOME_WORDS",
    "PATIENT_NOUNS",
    "TREATMENT_NOUNS",
]

# Words that narrow a condition and belong in its name ("acute otitis media").
MODIFIERS = frozenset(
    "acute chronic severe mild moderate recurrent refractory persistent uncomplicated "
    "complicated early advanced metastatic gestational congenital juvenile adult childhood "
    "community-acquired hospital-acquired primary secondary resistant nonvalvular "
    "non-valvular postpartum postoperative neonatal diabetic progressive sudden worsening "
    "new recent frequent ongoing".split()
)
# Words that say what kind of answer is wanted, or who asks, never what it is about.
INTENT_WORDS = frozenset(
    """what whats is are was were the a an of in on for to with and or about appropriate best
    correct proper current standard recommended recommendation recommend management manage
    managing managed treatment treatments treat treated treating therapy therapies option
    options approach patient patients person people someone adult adults individual who which
    how should can could would will do does did may might must have has having had experiencing
    medication medications medicine medicines drug drugs used use using given first line new
    latest evidence guideline guidelines know tell explain please me my i you your type types
    kind way need get list role effect effects main common usual typical dose dosage dosing
    side adverse diagnose diagnosed diagnosis test tests testing prognosis outlook prevent
    prevention symptoms signs cause causes causing risk factors when long often time take
    taking safe there this that these those it its they them their he she his her we our
    just really also any some than then into from after before during year years old month
    months week weeks day days difference between versus better compared protein
    wat wot r u ur pls plz thx ty abt bc cuz coz idk im dont cant wont hi hello hey thanks
    doctor doc dr question help tonight today yesterday tomorrow morning night yet now soon
    affects affect really normal okay ok bad good worse not no yes all very more most less
    other such only own same so too but if because as until while at by into through again
    further once anyway still even ever never every everything something anything nothing
    like got confirm confirmed confirms detect detected check checked checking work works
    working helps helping cure cured happen happens mean means meaning indicate indicated
    required needed need suggest suggested start started starting stop stopped begin
    recommend recommends done doing does avoid avoided avoiding used given taken prescribed
    recommended preferred indicated allowed safe describe explain list role function
    calculated defined overview""".split()
)
NON_SUBJECT = frozenset(
    "pregnancy humans patients adult aged child infant women men female male mothers".split()
)
# "a 74-year-old woman with hypertension": a condition that describes the patient.
PATIENT_NOUNS = frozenset(
    "patient patients woman women man men adult adults child children person people boy girl "
    "infant infants baby someone individual individuals old who".split()
)
# Words before a condition named as an outcome ("his risk of a stroke"), not a comorbidity.
OUTCOME_WORDS = frozenset(
    "risk risks chance chances odds likelihood prevent preventing prevention cause causes "
    "causing lead leads develop developing get getting".split()
)
# Nouns that end the name of a treatment ("oxygen therapy", "platelet transfusion"); such a
# phrase names a focus when the library holds it often (`finder.TREATMENT_SEEN`).
TREATMENT_NOUNS = frozenset(
    "therapy therapies transfusion transfusions preservation cryopreservation stockings "
    "rehabilitation rehab prophylaxis replacement ablation ventilation supplementation "
    "supplements training".split()
)
# A phrase ending in one of these names a condition ("Varnell syndrome").
DISEASE_NOUN = re.compile(
    r"\b(?:syndrome|disease|disorder|deficiency|fever|infection|cancer|carcinoma|tumou?r|"
    r"an(?:a)?emia|palsy|dystrophy|atrophy|sclerosis|\w+itis|\w+osis|\w+opathy)$"
)
# Dictionary names that only say what kind of condition it is.
HEAD_NOUNS = frozenset(
    "cancer cancers tumor tumors tumour tumours disease diseases syndrome infection infections "
    "deficiency fever neoplasm neoplasms carcinoma lymphoma leukemia anemia dermatitis "
    "arthritis hepatitis ulcer ulcers metastasis metastases recurrence".split()
)
# Names too general to be a subject, or to be a kind of anything.
GENERIC_NAMES = frozenset(
    "infection infections disease diseases disorder disorders syndrome pain inflammation "
    "bone bones blood heart skin lung lungs liver kidney brain cancer neoplasms recurrence "
    "neoplasm metastasis metastases laboratories laboratory virus viruses bacteria "
    "bacterial infections emergencies wounds and injuries".split()
)
