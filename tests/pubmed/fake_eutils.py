"""A fake NCBI E-utilities server's replies, in the real formats (written by the project)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from werkzeug import Request, Response

ARTICLES = Path(__file__).parents[1] / "corpus" / "fixtures" / "pubmed" / "articles.xml"
PMIDS = ["90000001", "90000002", "90000003"]


def esearch_json(request: Request) -> Response:
    ids = PMIDS[: int(request.args.get("retmax", "20"))]
    body = {
        "header": {"type": "esearch", "version": "0.3"},
        "esearchresult": {
            "count": str(len(PMIDS)),
            "retmax": str(len(ids)),
            "retstart": "0",
            "idlist": ids,
            "translationset": [],
            "querytranslation": request.args.get("term", ""),
        },
    }
    return Response(json.dumps(body), content_type="application/json; charset=UTF-8")


ESEARCH_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">
<eSearchResult><Count>2</Count><RetMax>2</RetMax><RetStart>0</RetStart>
<IdList><Id>90000002</Id><Id>90000005</Id></IdList>
<TranslationSet/><QueryTranslation>sinusitis[All Fields]</QueryTranslation>
</eSearchResult>"""

ESEARCH_ERROR = json.dumps(
    {"esearchresult": {"count": "0", "idlist": [], "ERROR": "Invalid query syntax\nnear AND"}}
)

EFETCH_ERROR = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    "<eFetchResult><ERROR>ID list is empty! Possibly it has no correct IDs.</ERROR>"
    "</eFetchResult>"
)

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<eSearchResult><Count>&lol2;</Count></eSearchResult>"""


def efetch(request: Request) -> Response:
    """The fixture's records whose PMIDs were asked for, as one PubmedArticleSet."""
    wanted = set(request.args.get("id", "").split(","))
    root = ET.parse(ARTICLES).getroot()
    out = ET.Element("PubmedArticleSet")
    for record in root:
        if record.findtext("MedlineCitation/PMID") in wanted:
            out.append(record)
    body = b'<?xml version="1.0" ?>\n' + ET.tostring(out, encoding="utf-8")
    return Response(body, content_type="text/xml; charset=UTF-8")
