-- 0001: documents, passages and the ingest log.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE ingest_runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    command         TEXT NOT NULL,
    sources         TEXT NOT NULL,          -- JSON list of "format:path"
    added           INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    skipped_reasons TEXT NOT NULL DEFAULT '{}', -- JSON {reason: count}
    seconds         REAL,
    outcome         TEXT NOT NULL DEFAULT 'running'  -- running | complete | interrupted | failed | abandoned
);

CREATE TABLE documents (
    id             TEXT PRIMARY KEY,
    corpus         TEXT NOT NULL,
    title          TEXT NOT NULL,
    source         TEXT,
    authors        TEXT NOT NULL DEFAULT '[]',   -- JSON list
    date           TEXT,
    year           INTEGER,
    pmid           TEXT,
    pmcid          TEXT,
    doi            TEXT,
    guideline_id   TEXT,
    url            TEXT,
    pub_type       TEXT NOT NULL,
    evidence_level INTEGER NOT NULL CHECK (evidence_level BETWEEN 1 AND 7),
    evidence_label TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('current', 'superseded', 'withdrawn', 'retracted')),
    status_note    TEXT,
    audience       TEXT NOT NULL CHECK (audience IN ('clinician', 'patient')),
    licence        TEXT,
    mesh           TEXT NOT NULL DEFAULT '[]',   -- JSON list
    extra          TEXT NOT NULL DEFAULT '{}',   -- JSON object
    n_passages     INTEGER NOT NULL CHECK (n_passages > 0),
    content_hash   TEXT NOT NULL,
    ingest_run     INTEGER REFERENCES ingest_runs(id),
    added_at       TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX documents_corpus ON documents (corpus);
CREATE INDEX documents_pub_type ON documents (pub_type);
CREATE INDEX documents_pmid ON documents (pmid) WHERE pmid IS NOT NULL;
CREATE INDEX documents_doi ON documents (doi) WHERE doi IS NOT NULL;

-- `pid` is the stable integer handle that search indexes store.
CREATE TABLE passages (
    pid       INTEGER PRIMARY KEY,
    doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    section   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    sentences TEXT NOT NULL,                      -- JSON [[start, end], ...]
    grade     TEXT,
    strength  TEXT,
    audience  TEXT NOT NULL,
    UNIQUE (doc_id, seq)
);
