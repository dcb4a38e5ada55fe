from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from medoracle.query.abbreviations import abbreviation_table, expand, is_candidate
from medoracle.query.lexicon import CACHE_NAME, Lexicon, build_lexicon, sense_key


@pytest.fixture
def lexicon(query_data: Path, tmp_path: Path) -> Lexicon:
    return Lexicon.from_data_dir(query_data, tmp_path / "cache")


def longs(query: str, lexicon: Lexicon) -> dict[str, str]:
    return {e.short: e.long for e in expand(query, lexicon)}


def test_build_writes_a_compact_cache_and_counts(query_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "lex.json.gz"
    counts = build_lexicon(query_data, out)
    payload = json.loads(gzip.decompress(out.read_bytes()))
    assert counts["short_forms"] == len(payload["entries"])
    # "(*)NO" is not a short form; "Ca" is mostly lower case; trial acronyms are dropped.
    assert {"(*)NO", "CA", "DOSE"}.isdisjoint(payload["entries"])


def test_senses_merge_spellings_and_rank_by_prior(lexicon: Lexicon) -> None:
    sle = lexicon.senses("SLE")
    assert sle[0].long == "systemic lupus erythematosus"
    assert sense_key("systemic lupus erythematodes") == sense_key("Systemic Lupus Erythematosus")
    assert len([s for s in sle if s.long.startswith("systemic")]) == 1
    assert "miss" not in {s.long.lower() for s in lexicon.senses("ms")}
    assert lexicon.senses("sle") == sle


def test_from_data_dir_caches_and_rebuilds_a_damaged_cache(
    query_data: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = Lexicon.from_data_dir(query_data, cache)
    assert (cache / CACHE_NAME).is_file()
    (cache / CACHE_NAME).write_bytes(b"not gzip")
    (cache / CACHE_NAME).touch()
    assert len(Lexicon.from_data_dir(query_data, cache)) == len(first)


def test_missing_source_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="abbreviation"):
        build_lexicon(tmp_path, tmp_path / "out.json.gz")


def test_sle_nephritis(lexicon: Lexicon) -> None:
    assert longs("SLE nephritis treatment", lexicon) == {"SLE": "systemic lupus erythematosus"}


def test_ms_with_neurology_context_is_multiple_sclerosis(lexicon: Lexicon) -> None:
    expansions = expand("MS relapse treatment with optic neuritis", lexicon)
    assert [(e.short, e.long) for e in expansions] == [("MS", "multiple sclerosis")]
    assert expansions[0].reason.startswith("context:")


def test_ms_with_cardiology_context_is_mitral_stenosis(lexicon: Lexicon) -> None:
    assert longs("MS murmur echocardiography valve area", lexicon) == {"MS": "mitral stenosis"}


def test_ms_without_context_is_not_expanded(lexicon: Lexicon) -> None:
    assert longs("MS", lexicon) == {}
    assert longs("QT interval 450 ms", lexicon) == {}


def test_library_cooccurrence_breaks_a_tie(lexicon: Lexicon) -> None:
    counts = {"multiple sclerosis": 90, "mitral stenosis": 3}
    expansions = expand("MS update", lexicon, cooccurs=lambda p: counts.get(p, 0))
    assert [(e.long, e.reason.split(" (")[0]) for e in expansions] == [
        ("multiple sclerosis", "library co-occurrence")
    ]


def test_csf_leak(lexicon: Lexicon) -> None:
    assert longs("CSF leak", lexicon) == {"CSF": "cerebrospinal fluid"}


def test_gbs_ivig_dose(lexicon: Lexicon) -> None:
    assert longs("GBS IVIG dose", lexicon) == {
        "GBS": "Guillain-Barré syndrome",
        "IVIG": "intravenous immunoglobulin",
    }


def test_gbs_in_pregnancy_is_group_b_streptococcus(lexicon: Lexicon) -> None:
    query = "my wife is pregnant, how do we protect the baby from GBS"
    assert longs(query, lexicon) == {"GBS": "group B streptococcus"}


def test_lower_case_curated_forms_expand_but_ordinary_words_never(lexicon: Lexicon) -> None:
    assert longs("is it as bad as it looks", lexicon) == {}
    assert longs("what is sle", lexicon) == {"sle": "systemic lupus erythematosus"}
    table = abbreviation_table()
    assert not is_candidate("is", False, lexicon, table)
    assert not is_candidate("Ms", False, lexicon, table)


def test_shouted_question_expands_only_curated_non_words(lexicon: Lexicon) -> None:
    assert longs("IS IT SAFE TO TAKE IVIG WITH SLE", lexicon) == {
        "IVIG": "intravenous immunoglobulin",
        "SLE": "systemic lupus erythematosus",
    }


def test_uncurated_form_needs_a_clear_prior(lexicon: Lexicon) -> None:
    assert longs("HbA1c target", lexicon) == {"HbA1c": "hemoglobin A1c"}
    assert longs("AS in young men", lexicon) == {}  # curated: no default, no context


def test_plural_form(lexicon: Lexicon) -> None:
    assert longs("two CSFs", lexicon) == {"CSF": "cerebrospinal fluid"}


@pytest.mark.shared_data
def test_real_inventory(shared_data: Path, real_cache: Path) -> None:
    lexicon = Lexicon.from_data_dir(shared_data, real_cache)  # its speed: `bench.components`
    assert len(lexicon) > 10_000
    assert longs("SLE nephritis treatment", lexicon) == {"SLE": "systemic lupus erythematosus"}
    assert longs("MS relapse treatment with optic neuritis", lexicon)["MS"] == "multiple sclerosis"
    assert longs("MS murmur echocardiography valve area", lexicon)["MS"] == "mitral stenosis"
    assert longs("CSF leak", lexicon) == {"CSF": "cerebrospinal fluid"}
    gbs = longs("GBS IVIG dose", lexicon)
    assert gbs["GBS"] == "Guillain-Barré syndrome"
    assert gbs["IVIG"] == "intravenous immunoglobulin"
    assert longs("what is it and is it as bad as they say", lexicon) == {}
    assert "computed tomography" in longs("CT for appendicitis", lexicon)["CT"].lower()
