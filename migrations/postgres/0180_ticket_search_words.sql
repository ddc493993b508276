-- SQLite's word search gains a view of its index's vocabulary (FTS5
-- reads a prefix across the whole installation); PostgreSQL's GIN index
-- reads prefixes by range already. Nothing changes here; the migration
-- keeps both databases at the same number.
SELECT 1;
