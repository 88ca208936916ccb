-- A read-only view of lines_fts's terms (no storage of its own). Search uses it to turn a
-- long prefix (invoi*), which the 2-4 character prefix indexes do not cover, into the few
-- whole terms it stands for, instead of letting FTS5 merge their postings at query time.
CREATE VIRTUAL TABLE lines_vocabulary USING fts5vocab(lines_fts, row);
