from __future__ import annotations

from pathlib import Path

import pytest

from medoracle.query.mesh import CACHE_NAME, MeshTree, build_mesh, mesh_key, natural_order


@pytest.fixture
def mesh(query_data: Path, tmp_path: Path) -> MeshTree:
    return MeshTree.from_data_dir(query_data, tmp_path / "cache")


def headings(text: str, mesh: MeshTree) -> list[str]:
    return [m.descriptor.heading for m in mesh.match(text)]


@pytest.mark.parametrize(
    ("heading", "natural"),
    [
        ("Lupus Erythematosus, Systemic", "Systemic Lupus Erythematosus"),
        ("Leukemia, Myeloid, Acute", "Acute Myeloid Leukemia"),
        ("Diabetes Mellitus, Type 2", "Type 2 Diabetes Mellitus"),
        ("Heart Failure", "Heart Failure"),
    ],
)
def test_natural_order(heading: str, natural: str) -> None:
    assert natural_order(heading) == natural


def test_key_ignores_case_accents_possessives_and_punctuation() -> None:
    assert mesh_key("Guillain–Barré  Syndrome") == "guillain barre syndrome"
    assert mesh_key("Parkinson's disease") == "parkinson disease"


def test_lookup_by_heading_or_natural_order_any_case(mesh: MeshTree) -> None:
    sle = mesh.lookup("systemic lupus erythematosus")
    assert sle is not None and sle.ui == "D008180"
    assert mesh.lookup("LUPUS ERYTHEMATOSUS, SYSTEMIC") == sle
    assert mesh.lookup("no such heading") is None
    assert mesh.synonyms("Lupus Erythematosus, Systemic") == ["systemic lupus erythematosus"]


def test_broader_and_narrower_follow_every_tree(mesh: MeshTree) -> None:
    broader = mesh.broader("lupus nephritis")
    assert broader == ["Glomerulonephritis", "Lupus Erythematosus, Systemic"]
    assert mesh.broader("Cardiovascular Diseases") == []
    assert mesh.narrower("Diabetes Mellitus") == [
        "Diabetes Mellitus, Type 1",
        "Diabetes Mellitus, Type 2",
    ]
    assert "Atrial Fibrillation" not in mesh.narrower("Heart Diseases")
    assert "Atrial Fibrillation" in mesh.narrower("Heart Diseases", depth=2)
    assert mesh.narrower("unknown") == []


def test_match_takes_the_longest_phrase(mesh: MeshTree) -> None:
    assert headings("treatment of lupus nephritis in adults", mesh) == ["Lupus Nephritis"]
    assert headings("systemic lupus erythematosus and heart failure", mesh) == [
        "Lupus Erythematosus, Systemic",
        "Heart Failure",
    ]


def test_a_disease_word_finds_its_disease_heading(mesh: MeshTree) -> None:
    matches = mesh.match("diabetes and metformin")
    assert [(m.descriptor.heading, m.how) for m in matches] == [
        ("Diabetes Mellitus", "head"),
        ("Metformin", "exact"),
    ]
    assert headings("early parkinsons", mesh) == ["Parkinson Disease"]


def test_general_and_non_clinical_headings_are_ignored(mesh: MeshTree) -> None:
    assert headings("patients with disease", mesh) == []


def test_empty_tree_matches_nothing() -> None:
    empty = MeshTree.empty()
    assert len(empty) == 0
    assert empty.match("lupus nephritis") == []
    assert empty.broader("lupus nephritis") == []


def test_cache_is_built_once_and_rebuilt_when_damaged(query_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    MeshTree.from_data_dir(query_data, cache)
    (cache / CACHE_NAME).write_bytes(b"\x1f\x8bbroken")
    assert len(MeshTree.from_data_dir(query_data, cache)) == 19
    with pytest.raises(FileNotFoundError, match="MeSH"):
        build_mesh(tmp_path / "nowhere", tmp_path / "out.json.gz")


@pytest.mark.shared_data
def test_real_mesh_tree(shared_data: Path, real_cache: Path) -> None:
    MeshTree.from_data_dir(shared_data, real_cache)
    mesh = MeshTree.from_data_dir(shared_data, real_cache)  # its speed: `bench.components`
    assert len(mesh) > 20_000
    assert "Lupus Erythematosus, Systemic" in mesh.broader("lupus nephritis")
    assert "Diabetes Mellitus" in headings("diabetes", mesh)
    assert headings("How is lupus nephritis treated?", mesh) == ["Lupus Nephritis"]
    assert "Diabetes Mellitus, Type 2" in mesh.narrower("Diabetes Mellitus")
