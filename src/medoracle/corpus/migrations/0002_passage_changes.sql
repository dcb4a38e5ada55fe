-- 0002: a change log of passages, so that search indexes update incrementally.
-- Every index keeps the last `seq` it applied and replays the rest in order.
CREATE TABLE passage_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    pid    INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    op     TEXT NOT NULL CHECK (op IN ('add', 'del'))
);

INSERT INTO passage_changes (pid, doc_id, op) SELECT pid, doc_id, 'add' FROM passages ORDER BY pid;

CREATE TRIGGER passages_logged_add AFTER INSERT ON passages
BEGIN
    INSERT INTO passage_changes (pid, doc_id, op) VALUES (new.pid, new.doc_id, 'add');
END;

CREATE TRIGGER passages_logged_del AFTER DELETE ON passages
BEGIN
    INSERT INTO passage_changes (pid, doc_id, op) VALUES (old.pid, old.doc_id, 'del');
END;
