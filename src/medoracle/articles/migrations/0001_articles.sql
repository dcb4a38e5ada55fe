-- 0001: articles and their versions, reviewer accounts and sessions, the audit trail.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    question        TEXT NOT NULL,
    question_key    TEXT NOT NULL UNIQUE,   -- the question normalised: one article per question
    parent_id       INTEGER REFERENCES articles(id),
    context         TEXT NOT NULL DEFAULT '', -- condition, population, drugs carried to retrieval
    state           TEXT NOT NULL DEFAULT 'submitted'
                    CHECK (state IN ('submitted', 'under_review', 'approved', 'changes_requested')),
    current_version INTEGER NOT NULL DEFAULT 0,
    new_evidence    INTEGER NOT NULL DEFAULT 0,
    embedding       BLOB,                   -- float32 question vector, for related questions
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX articles_state ON articles(state, updated_at);
CREATE INDEX articles_parent ON articles(parent_id);

-- One row per composition; regenerating adds a version and keeps the old ones.
CREATE TABLE versions (
    article_id      INTEGER NOT NULL REFERENCES articles(id),
    number          INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    library_version TEXT NOT NULL,
    evidence        TEXT NOT NULL DEFAULT '[]',  -- JSON list of the cited document ids
    PRIMARY KEY (article_id, number)
);

-- The page of one version for one audience, as Answer JSON. Composed on first request.
CREATE TABLE renditions (
    article_id INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    audience   TEXT NOT NULL CHECK (audience IN ('clinician', 'student', 'patient')),
    answer     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, version, audience),
    FOREIGN KEY (article_id, version) REFERENCES versions(article_id, number)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('reviewer', 'editor')),
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

-- Only a hash of the session token is stored, so a copied database signs nobody in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Strikes and notes a reviewer puts on one statement, keyed by its source sentences.
CREATE TABLE annotations (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles(id),
    statement_key TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('strike', 'note')),
    body          TEXT NOT NULL DEFAULT '',
    user_id       INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX annotations_article ON annotations(article_id);

-- The audit trail: every state change and edit, with who, when, from, to and why.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_article ON events(article_id, id);
