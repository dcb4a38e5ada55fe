-- 0003: a follow-up is its parent plus its question. The same words asked after two
-- different articles are two articles, so question_key is unique per parent, not overall
-- (0001 made it unique on its own). SQLite cannot drop a column's UNIQUE, so the table is
-- rebuilt; the runner turns foreign keys off for this and checks them before committing.
CREATE TABLE articles_0003 (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    question        TEXT NOT NULL,
    question_key    TEXT NOT NULL,          -- the question normalised
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
INSERT INTO articles_0003 (id, slug, question, question_key, parent_id, context, state,
                           current_version, new_evidence, embedding, created_at, updated_at)
SELECT id, slug, question, question_key, parent_id, context, state,
       current_version, new_evidence, embedding, created_at, updated_at
FROM articles;
DROP TABLE articles;
ALTER TABLE articles_0003 RENAME TO articles;
CREATE INDEX articles_state ON articles(state, updated_at);
CREATE INDEX articles_parent ON articles(parent_id);
-- One article per question among the top-level articles, and per question among the
-- follow-ups of one parent.
CREATE UNIQUE INDEX articles_identity ON articles(coalesce(parent_id, 0), question_key);
