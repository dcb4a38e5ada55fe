"""Live PubMed: NCBI E-utilities searched and fetched, records ingested as library documents.

Off by default (`MEDORACLE_PUBMED__ENABLED`); nothing here runs unless asked for."""
