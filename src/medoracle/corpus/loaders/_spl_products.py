"""What an SPL label is of: its products, their names and dosage forms (`dailymed_spl`).

Element names follow SPL release 5 (`manufacturedProduct/manufacturedProduct`) and the
older layout (`manufacturedProduct/manufacturedMedicine`, `activeIngredient`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NamedTuple

from medoracle.corpus.loaders._spl_text import attribute, element_text, local_name

__all__ = ["Product", "drug_names", "label_title", "read_products"]

_V3 = {"v3": "urn:hl7-org:v3"}
_ACTIVE = ("ACTIB", "ACTIM", "ACTIR")  # active ingredient: by basis, moiety, reference
_GENERIC = "v3:asEntityWithGeneric/v3:genericMedicine/v3:name"


class Product(NamedTuple):
    """One product entity of a label."""

    name: str
    generic: str
    form: str
    actives: tuple[str, ...]


_PRODUCT_TAGS = ("manufacturedProduct", "manufacturedMedicine", "partProduct")


def read_products(root: ET.Element) -> list[Product]:
    """Every product entity: R5 nests `manufacturedProduct/manufacturedProduct`, older
    labels `manufacturedProduct/manufacturedMedicine`; kit parts are products too."""
    found: list[Product] = []
    for entity in root.iter():
        if local_name(entity.tag) not in (
            "manufacturedProduct",
            "manufacturedMedicine",
            "partProduct",
        ):
            continue
        name = element_text(entity.find("v3:name", _V3))
        if not name:
            continue
        actives = [
            element_text(ingredient.find("v3:ingredientSubstance/v3:name", _V3))
            for ingredient in entity.iterfind("v3:ingredient", _V3)
            if ingredient.get("classCode") in _ACTIVE
        ]
        actives += [
            element_text(old) for old in entity.iterfind(
                "v3:activeIngredient/v3:activeIngredientSubstance/v3:name", _V3
            )
        ]  # fmt: skip
        found.append(
            Product(
                name=name,
                generic=element_text(entity.find(_GENERIC, _V3)),
                form=attribute(entity.find("v3:formCode", _V3), "displayName"),
                actives=tuple(a for a in actives if a),
            )
        )
    return found


def drug_names(products: list[Product]) -> list[str]:
    """Brand, generic and active-ingredient names, once each: the label's topics, so that a
    search for the drug finds its label."""
    names: dict[str, str] = {}
    for product in products:
        for name in (product.name, product.generic, *product.actives):
            if name:
                names.setdefault(name.lower(), _readable(name))
    return list(names.values())


def label_title(root: ET.Element, products: list[Product], set_id: str) -> str:
    """The first product as "Brand (generic) form"; else the label's own title, unless that
    is the boilerplate opening of the highlights."""
    if products:
        first = products[0]
        title = _readable(first.name)
        if first.generic and first.generic.lower() != first.name.lower():
            title += f" ({first.generic.lower()})"
        forms = dict.fromkeys(p.form.lower() for p in products if p.form)
        return f"{title} {'; '.join(forms)}".strip()
    own = element_text(root.find("v3:title", _V3))
    if own and not own.lower().startswith("these highlights do not include"):
        return own[:500]
    return f"Drug label {set_id}"


def _readable(name: str) -> str:
    """SPL often shouts names ("EXAMPLOMYCIN HYDROCHLORIDE"); a heading-case copy reads better."""
    return name.title() if name.isupper() else name
