-- Ticket writes no longer merge the word index's segments themselves:
-- at a million tickets a write now and then merged large segments inside
-- its own transaction, and every write queued behind it waited (ticket
-- creation's p99 139 ms, 52 ms without). The server's jobs merge the index
-- in small steps instead (store.MergeWordIndex); FTS5's crisis merge of a
-- level that reaches 16 segments still happens in the write.
INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('automerge', 0);
