-- PostgreSQL's word-search documents gain their tickets' scope (see the
-- PostgreSQL migration of the same name); SQLite's FTS5 table has had
-- its scope column since 0081.
SELECT 1;
