-- DocVault archive schema, version 1.
-- Never edit this file once it has landed: add 0002_....sql instead.

-- One row per distinct file content. The content hash is the identity: a moved
-- file keeps its row (only path changes), a changed file gets a new row.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    path         TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    mtime        REAL    NOT NULL,              -- seconds since 1970-01-01 UTC
    sha256       TEXT    NOT NULL UNIQUE,       -- lowercase hex of the file content
    kind         TEXT    NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'tiff')),
    page_count   INTEGER NOT NULL CHECK (page_count >= 0),
    status       TEXT    NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
    error        TEXT,
    ingested_at  REAL    NOT NULL,              -- seconds since 1970-01-01 UTC
    timings      TEXT    NOT NULL DEFAULT '{}'  -- JSON object: stage name -> seconds
);
CREATE INDEX documents_path ON documents(path);

CREATE TABLE pages (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL CHECK (number >= 1),
    width        INTEGER NOT NULL,              -- pixels of the page as rasterised
    height       INTEGER NOT NULL,
    dpi          REAL    NOT NULL,
    rotation     INTEGER NOT NULL DEFAULT 0 CHECK (rotation IN (0, 90, 180, 270)),
    skew         REAL    NOT NULL DEFAULT 0,    -- degrees of deskew applied
    source       TEXT    NOT NULL CHECK (source IN ('ocr', 'text-layer')),
    timings      TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (document_id, number)
);

-- Boxes are pixels of the page at its stored dpi, origin top left, [x0, y0, x1, y1].
-- char_confidences: one byte per character of text, confidence * 255 rounded.
CREATE TABLE lines (
    id               INTEGER PRIMARY KEY,
    page_id          INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL CHECK (number >= 1),  -- reading order on the page
    x0               INTEGER NOT NULL,
    y0               INTEGER NOT NULL,
    x1               INTEGER NOT NULL,
    y1               INTEGER NOT NULL,
    text             TEXT    NOT NULL,
    confidence       REAL    NOT NULL,
    char_confidences BLOB,
    UNIQUE (page_id, number)
);

-- External-content index: the text lives once, in lines. The 'docvault'
-- tokenizer (registered by the application on every connection) makes each
-- CJK character its own token, so Chinese of any length is searchable.
CREATE VIRTUAL TABLE lines_fts USING fts5(
    text,
    content = 'lines',
    content_rowid = 'id',
    tokenize = 'docvault'
);

CREATE TRIGGER lines_fts_insert AFTER INSERT ON lines BEGIN
    INSERT INTO lines_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER lines_fts_delete AFTER DELETE ON lines BEGIN
    INSERT INTO lines_fts(lines_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER lines_fts_update AFTER UPDATE OF text ON lines BEGIN
    INSERT INTO lines_fts(lines_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO lines_fts(rowid, text) VALUES (new.id, new.text);
END;
