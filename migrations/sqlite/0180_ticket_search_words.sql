-- The vocabulary of the ticket index, one row per occurrence, in word
-- order: a word search asks it for the words a typed word starts
-- ("print": "printer", "printers") and names them to FTS5 one by one,
-- which reads only the reader's sites' part of each list, instead of a
-- prefix query, which merges every list of the installation first
-- (store/ticket_search.go, expand). An fts5vocab table stores nothing:
-- it reads ticket_fts's index.
CREATE VIRTUAL TABLE ticket_fts_words USING fts5vocab(ticket_fts, instance);
