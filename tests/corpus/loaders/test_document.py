from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfWriter

from medoracle.corpus.loaders import get_loader, resolve_files
from medoracle.corpus.loaders.document import DocumentMeta, read_document
from medoracle.corpus.models import Audience, LoadedDocument, PassageKind, PubType
from medoracle.errors import SourceError
from minipdf import GAP, Text, write_pdf

FOOTER = Text(9, "Riverside Clinic asthma protocol v3")
PROTOCOL_PAGES = [
    [
        Text(20, "Adult Asthma Protocol"),
        GAP,
        Text(14, "1. Assessment"),
        Text(11, "Measure peak flow in every adult who presents with wheeze and"),
        Text(11, "record it in the notes."),
        GAP,
        Text(11, "Check oxygen saturation in air."),
        FOOTER,
        Text(9, "1"),
    ],
    [
        Text(14, "2. Treatment"),
        Text(11, "Acute attack", bold=True),
        Text(11, "- Give salbutamol 5 mg nebulised."),
        Text(11, "- Give prednisolone 40 mg orally"),
        Text(11, "for 5 days."),
        FOOTER,
        Text(9, "Page 2 of 3"),
    ],
    [
        Text(14, "References"),
        Text(11, "1. Invented A. A made-up trial. Invented J. 2020."),
        FOOTER,
        Text(9, "3"),
    ],
]


@pytest.fixture
def documents(fixtures: Path) -> Path:
    return fixtures / "documents"


@pytest.fixture
def protocol(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "Asthma Protocol (v3).pdf", PROTOCOL_PAGES,
                     title="Microsoft Word - asthma_v3.docx")  # fmt: skip


def _sections(loaded: LoadedDocument) -> list[tuple[str, PassageKind, str]]:
    return [(p.section, p.kind, p.text) for p in loaded.passages]


def test_markdown_headings_paragraphs_items_and_sidecar(documents: Path) -> None:
    loaded = read_document(documents / "sore_throat.md")
    doc = loaded.document
    assert doc.id == "local:sore-throat-adults"  # the sidecar's id
    assert doc.title == "Sore throat in adults: clinic pathway"  # the first level-1 heading
    assert (doc.source, doc.year, doc.corpus) == ("Local document: Riverside Clinic", 2023, "local")
    assert (doc.pub_type, doc.evidence_level, doc.evidence_label) == (
        PubType.GUIDELINE, 1, "Guideline",
    )  # fmt: skip
    assert doc.extra["format"] == "markdown" and len(str(doc.extra["sha256"])) == 64
    assert _sections(loaded) == [
        (
            "Sore throat in adults: clinic pathway",  # text before the first heading
            PassageKind.OTHER,
            "This invented pathway tells clinicians at the clinic what to do for adults with a "
            "sore throat.",
        ),
        (
            "Assessment",
            PassageKind.OTHER,
            "Score every adult with the invented FeverPAIN-like score. Record the score in the "
            "notes.\n\nLook for red flags first:\n\ndifficulty swallowing saliva\n"
            "stridor or muffled voice\nrefer the same day\na unilateral neck swelling",
        ),
        (
            "Treatment / Antibiotics",
            PassageKind.RECOMMENDATION,
            "Offer phenoxymethylpenicillin 500 mg four times daily for 5 days when the score is "
            "4 or more.\n\nScore; Action\n0-1; No antibiotic\n4-5; Immediate antibiotic",
        ),
    ]  # front matter, code, raw HTML and the reference list are not passages
    assert loaded.passages[1].sentence_texts()[-4:] == [
        "difficulty swallowing saliva",
        "stridor or muffled voice",
        "refer the same day",
        "a unilateral neck swelling",
    ]


def test_html_declared_charset_boilerplate_and_patient_sidecar(documents: Path) -> None:
    loaded = read_document(documents / "fever_leaflet.html")
    doc = loaded.document
    assert doc.id == "local:fever-leaflet"  # from the file name
    assert doc.title == "Looking after your child's fever"
    assert (doc.pub_type, doc.evidence_level, doc.audience) == (
        PubType.PATIENT_INFORMATION, 7, Audience.PATIENT,
    )  # fmt: skip
    sections = _sections(loaded)
    assert [s for s, _, _ in sections] == [
        "Looking after your child's fever",
        "What you can do",
        "When to get help",
    ]
    assert sections[0][2] == (
        "Most fevers in children are caused by invented viruses and get better on their own."
        "\n\nOur nurse Renée can help by phone."  # ISO-8859-1, as the page declares
    )
    assert sections[1][2] == (
        "Give plenty of drinks.\nUse paracetamol if your child is distressed:\n"
        "follow the dose on the bottle"
    )
    assert sections[2][2] == (
        "Call 999 if your child has a fit or a rash that does not fade.\n\n"
        "See a doctor if the fever lasts more than 5 days.\n\n"
        "Age; Seek advice when\nUnder 3 months; Temperature 38 °C or higher"
    )
    assert all(p.kind is PassageKind.ANSWER and p.audience is Audience.PATIENT
               for p in loaded.passages)  # fmt: skip
    text = " ".join(p.text for p in loaded.passages)
    assert "Home" not in text and "tracking" not in text and "cookies" not in text


def test_pdf_headings_by_size_paragraphs_by_gaps_items_by_bullets(protocol: Path) -> None:
    loaded = read_document(protocol)
    doc = loaded.document
    assert doc.id == "local:asthma-protocol-v3"
    assert doc.title == "Adult Asthma Protocol"  # the PDF's own title is a file name: ignored
    assert doc.source == "Local document" and doc.year is None
    assert _sections(loaded) == [
        (
            "1. Assessment",
            PassageKind.OTHER,
            "Measure peak flow in every adult who presents with wheeze and record it in the "
            "notes.\n\nCheck oxygen saturation in air.",
        ),
        (
            "2. Treatment / Acute attack",
            PassageKind.RECOMMENDATION,
            "Give salbutamol 5 mg nebulised.\nGive prednisolone 40 mg orally for 5 days.",
        ),
    ]  # running footer, page numbers and references dropped
    assert loaded.passages[1].sentence_texts() == [
        "Give salbutamol 5 mg nebulised.",
        "Give prednisolone 40 mg orally for 5 days.",
    ]


def test_options_override_the_sidecar_field_by_field(documents: Path) -> None:
    meta = DocumentMeta(body="Northside Practice", type=PubType.SYSTEMATIC_REVIEW, title="X")
    doc = read_document(documents / "sore_throat.md", meta).document
    assert (doc.source, doc.title, doc.pub_type) == (
        "Local document: Northside Practice", "X", PubType.SYSTEMATIC_REVIEW,
    )  # fmt: skip
    assert (doc.year, doc.id) == (2023, "local:sore-throat-adults")  # kept from the sidecar


def test_owner_password_only_pdf_is_read(protocol: Path, tmp_path: Path) -> None:
    locked = tmp_path / "owner.pdf"
    writer = PdfWriter(clone_from=protocol)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    writer.write(locked)
    assert read_document(locked).passages[0].text.startswith("Measure peak flow")


def _encrypted(protocol: Path, tmp_path: Path) -> Path:
    writer = PdfWriter(clone_from=protocol)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    writer.write(tmp_path / "locked.pdf")
    return tmp_path / "locked.pdf"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_encrypted, "password-protected PDF"),
        (lambda p, d: write_pdf(d / "scan.pdf", [[], []]), r"no text layer \(a scanned PDF\?\)"),
        (lambda p, d: _write(d / "cut.pdf", p.read_bytes()[:300]), "not a readable PDF"),
        (lambda p, d: _write(d / "fake.pdf", b"<html>not a pdf</html>"), "not a PDF"),
        (lambda p, d: _write(d / "notes.md", "# Caf\xe9\n\nText.".encode("latin-1")),
         r"not valid utf-8 text \(byte 0xe9 at offset 5\); save it as UTF-8"),
        (lambda p, d: _write(d / "page.html", b'<meta charset="utf-8"><p>\xff</p>'),
         "not valid utf-8 text"),
        (lambda p, d: _write(d / "odd.html", b'<meta charset="x-klingon"><p>Hi</p>'),
         "unknown character encoding 'x-klingon'"),
        (lambda p, d: _write(d / "empty.html", b"<nav>Menu</nav><script>x()</script>"),
         "no text to load"),
        (lambda p, d: _write(d / "letter.docx", b"PK\x03\x04"), "not a document type"),
    ],
)  # fmt: skip
def test_unloadable_files_are_one_line_source_errors(
    protocol: Path, tmp_path: Path, make: object, message: str
) -> None:
    path = make(protocol, tmp_path)  # type: ignore[operator]
    with pytest.raises(SourceError, match=message) as caught:
        list(get_loader("document").read(path))
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_over_the_size_limit_is_refused_before_reading(
    documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("medoracle.corpus.loaders.document.MAX_BYTES", 100)
    with pytest.raises(SourceError, match="over the 100-byte limit"):
        read_document(documents / "sore_throat.md")


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("year = ", "not valid TOML"),
        ('colour = "blue"', "invalid colour: Extra inputs are not permitted"),
        ("year = 1066", "invalid year"),
        ('type = "blog"', "invalid type"),
    ],
)
def test_broken_sidecar_names_itself(
    documents: Path, tmp_path: Path, sidecar: str, message: str
) -> None:
    shutil.copy(documents / "sore_throat.md", tmp_path / "sore_throat.md")
    (tmp_path / "sore_throat.md.meta.toml").write_text(sidecar, "utf-8")
    with pytest.raises(SourceError, match=message) as caught:
        read_document(tmp_path / "sore_throat.md")
    assert "sore_throat.md.meta.toml" in str(caught.value)


def test_a_folder_stands_for_its_documents_not_their_sidecars(documents: Path) -> None:
    found = resolve_files(get_loader("document"), documents)
    assert [p.name for p in found] == ["fever_leaflet.html", "sore_throat.md"]
