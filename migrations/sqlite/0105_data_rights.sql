-- Data rights: an erased contact keeps its row, since tickets and votes
-- point to it, with its profile removed and erased_at set; the messages
-- and timeline events it wrote keep their text and lose the name, which
-- the pages show as "Former contact".
ALTER TABLE contacts ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE ticket_messages ADD COLUMN author_erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_events ADD COLUMN actor_erased INTEGER NOT NULL DEFAULT 0;
