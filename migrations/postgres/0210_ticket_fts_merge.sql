-- SQLite's word index (FTS5) stops merging inside ticket writes
-- (migrations/sqlite/0210); PostgreSQL's GIN index has nothing of the kind.
SELECT 1;
