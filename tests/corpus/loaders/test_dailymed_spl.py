from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType
from medoracle.errors import SourceError

EXAMPLOMYCIN = "dailymed:7d1a3e52-95b0-4c1e-8f3a-2b6c0d9e4f10"
PLACEBRINE = "dailymed:a4e2c6d8-1b3f-4e5a-8c7d-9f0e1d2c3b4a"


@pytest.fixture
def labels(fixtures: Path) -> Path:
    return fixtures / "dailymed"


def _read(path: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("dailymed-spl").read(path))


def _docs(path: Path) -> dict[str, LoadedDocument]:
    return {r.document.id: r for r in _read(path) if isinstance(r, LoadedDocument)}


def _codes(loaded: LoadedDocument) -> dict[str, str]:
    """Passage section -> LOINC code, as the loader records them."""
    pairs = (entry.split(" ", 1) for entry in loaded.document.extra["loinc"])
    return {section: code for code, section in pairs}


def test_metadata_of_a_plr_label(labels: Path) -> None:
    [loaded] = _read(labels / "examplomycin.xml")
    assert isinstance(loaded, LoadedDocument)
    doc = loaded.document
    assert doc.id == EXAMPLOMYCIN  # setId, lower-cased
    assert doc.title == "Examplomycin tablet, film coated"  # not the highlights boilerplate
    assert doc.source == "DailyMed: Invented Pharma, Inc."
    assert (doc.date, doc.year) == ("2024-03-12", 2024)
    assert doc.identifiers.url == (
        "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid=7d1a3e52-95b0-4c1e-8f3a-2b6c0d9e4f10"
    )
    assert (doc.pub_type, doc.evidence_level, doc.evidence_label) == (
        PubType.DRUG_LABEL, 2, "Drug label",
    )  # fmt: skip
    assert doc.mesh == ["Examplomycin", "Examplomycin Hydrochloride"]  # no inactive ingredient
    assert doc.extra["version"] == "7" and doc.extra["labeller"] == "Invented Pharma, Inc."
    assert doc.corpus == "dailymed"


def test_sections_are_kept_by_loinc_code(labels: Path) -> None:
    [loaded] = _read(labels / "examplomycin.xml")
    assert isinstance(loaded, LoadedDocument)
    codes = _codes(loaded)
    assert codes == {
        "Warning: tendon rupture": "34066-1",
        "1 Indications and usage": "34067-9",
        "2 Dosage and administration / 2.1 Recommended Dosage in Adults": "34068-7",
        # a dosing subsection about the kidneys is still dosage
        "2 Dosage and administration / 2.2 Dosage Adjustment in Renal Impairment": "34068-7",
        "3 Dosage forms and strengths": "43678-2",
        "4 Contraindications": "34070-3",
        "5 Warnings and precautions / 5.1 QT Prolongation": "43685-7",
        "6 Adverse reactions": "34084-4",
        "7 Drug interactions": "34073-7",
        "8 Use in specific populations / 8.1 Pregnancy": "42228-7",
        "8 Use in specific populations / 8.2 Lactation": "77290-5",
        "8 Use in specific populations / 8.4 Pediatric Use": "34081-0",
        "8 Use in specific populations / 8.5 Geriatric Use": "34082-8",
        "8 Use in specific populations / 8.6 Renal Impairment": "88828-9",
        # coded "unclassified" in the label, recognised by its title
        "8 Use in specific populations / 8.7 Hepatic Impairment": "88829-7",
    }
    text = " ".join(p.text for p in loaded.passages)
    assert "Highlight only" not in text  # highlights repeat the full text
    assert "white crystalline powder" not in text  # description: not kept
    assert "Pharmacokinetic only" not in text  # renal impairment under pharmacokinetics


def test_passages_kinds_lists_and_tables(labels: Path) -> None:
    [loaded] = _read(labels / "examplomycin.xml")
    assert isinstance(loaded, LoadedDocument)
    by_section = {p.section: p for p in loaded.passages}
    dose = by_section["2 Dosage and administration / 2.1 Recommended Dosage in Adults"]
    assert dose.kind is PassageKind.RECOMMENDATION
    assert dose.sentence_texts()[0] == (
        "The recommended dosage of Examplomycin for adults is 250 mg orally twice daily for 7 days."
    )  # inline <content> kept in place
    table = by_section["2 Dosage and administration / 2.2 Dosage Adjustment in Renal Impairment"]
    assert table.sentence_texts() == [
        "Table 1: Examplomycin Dosage by Creatinine Clearance",
        "Creatinine clearance; Dosage",
        "30 mL/min or more; 250 mg twice daily",
        "Less than 30 mL/min; 250 mg once daily",
    ]
    adverse = by_section["6 Adverse reactions"]
    assert adverse.kind is PassageKind.RESULT
    assert adverse.sentence_texts()[1:] == ["nausea (12%)", "diarrhea (9%)", "headache (6%)"]
    assert by_section["3 Dosage forms and strengths"].kind is PassageKind.OTHER


def test_older_label_layout(labels: Path) -> None:
    [loaded] = _read(labels / "placebrine.xml")
    assert isinstance(loaded, LoadedDocument)
    assert loaded.document.title == "Placebrine Sodium tablet"  # manufacturedMedicine
    assert loaded.document.mesh == ["Placebrine Sodium"]
    assert _codes(loaded) == {
        "Indications and usage": "34067-9",
        "Contraindications": "34070-3",
        "Warnings": "34071-1",
        "Precautions / Drug Interactions": "34073-7",
        "Precautions / Pregnancy": "42228-7",
        "Precautions / Nursing Mothers": "34080-2",
        "Adverse reactions": "34084-4",
        "Dosage and administration": "34068-7",
    }  # "How supplied" is not kept


@pytest.mark.parametrize("name", ["labels.zip", "bulk_release.zip"])
def test_zips_flat_and_nested_per_label(labels: Path, name: str) -> None:
    results = _read(labels / name)
    assert sorted(_docs(labels / name)) == sorted([EXAMPLOMYCIN, PLACEBRINE])
    assert all(isinstance(r, LoadedDocument) for r in results)  # images are passed over
    single = _docs(labels / "examplomycin.xml")[EXAMPLOMYCIN]
    assert _docs(labels / name)[EXAMPLOMYCIN] == single


def test_truncated_zip_is_a_source_error(labels: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes((labels / "labels.zip").read_bytes()[:-200])
    with pytest.raises(SourceError, match=r"cut\.zip: not a readable zip archive"):
        _read(cut)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE document [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<document xmlns="urn:hl7-org:v3"><title>&lol3;</title></document>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<document xmlns="urn:hl7-org:v3"><title>&secret;</title></document>
"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "declares entities"),
        (EXTERNAL, "declares entities"),
        (b'<?xml version="1.0"?>\n<document xmlns="urn:hl7-org:v3"><title>', "line 2, column"),
        (b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", "not an SPL <document>"),
        (b'<document><setId root="x"/></document>', "not an SPL <document>"),  # no namespace
    ],
)
def test_bad_xml_file_is_one_line_source_error(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "label.xml"
    path.write_bytes(data)
    with pytest.raises(SourceError, match=message) as caught:
        _read(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_bad_members_of_a_zip_are_skipped_and_the_rest_load(labels: Path, tmp_path: Path) -> None:
    good = (labels / "examplomycin.xml").read_bytes()
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as inner:
        inner.writestr("deeper.zip", b"PK\x05\x06" + b"\0" * 18)
    path = _zip(tmp_path / "mixed.zip", {
        "a_bomb.xml": BOMB,
        "b_other.xml": b"<html/>",
        "c_broken.xml": good[:3000],
        "d_good.xml": good,
        "e_nested.zip": nested.getvalue(),
    })  # fmt: skip
    results = _read(path)
    assert [r.document.id for r in results if isinstance(r, LoadedDocument)] == [EXAMPLOMYCIN]
    skipped = [r for r in results if isinstance(r, Skipped)]
    assert [(s.where, s.malformed) for s in skipped] == [
        ("mixed.zip/a_bomb.xml", True),
        ("mixed.zip/b_other.xml", True),
        ("mixed.zip/c_broken.xml", True),
        ("mixed.zip/e_nested.zip/deeper.zip", False),
    ]
    assert "declares entities" in skipped[0].reason and "not well-formed" in skipped[2].reason


def test_corrupt_member_data_is_skipped(labels: Path, tmp_path: Path) -> None:
    data = bytearray((labels / "labels.zip").read_bytes())
    data[200:260] = b"\0" * 60  # inside the first member's compressed bytes
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(data))
    results = _read(path)
    assert isinstance(results[0], Skipped) and results[0].where == "corrupt.zip/examplomycin.xml"
    assert [r.document.id for r in results if isinstance(r, LoadedDocument)] == [PLACEBRINE]


def test_label_without_kept_sections_is_an_expected_skip(tmp_path: Path) -> None:
    path = tmp_path / "device.xml"
    path.write_text(
        '<document xmlns="urn:hl7-org:v3"><setId root="11111111-2222-3333-4444-555555555555"/>'
        '<component><structuredBody><component><section><code code="34069-5"/>'
        "<title>HOW SUPPLIED</title><text><paragraph>Boxes of 10.</paragraph></text>"
        "</section></component></structuredBody></component></document>",
        "utf-8",
    )
    [result] = _read(path)
    assert isinstance(result, Skipped) and not result.malformed
    assert result.reason.startswith("no prescribing sections")


def test_missing_set_id_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "noid.xml"
    path.write_text('<document xmlns="urn:hl7-org:v3"><title>x</title></document>', "utf-8")
    [result] = _read(path)
    assert isinstance(result, Skipped) and result.malformed and "setId" in result.reason


def test_oversized_member_is_refused_before_reading(
    labels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("medoracle.corpus.loaders.dailymed_spl.MAX_XML_BYTES", 1000)
    [big, _] = _read(labels / "labels.zip")
    assert isinstance(big, Skipped) and "over the 1,000-byte limit" in big.reason
    with pytest.raises(SourceError, match="over the 1,000-byte limit"):
        _read(labels / "examplomycin.xml")
