-- Data rights: an erased contact keeps its row, since tickets and votes
-- point to it, with its profile removed and erased_at set; the messages
-- and timeline events it wrote keep their text and lose the name, which
-- the pages show as "Former contact".
ALTER TABLE contacts ADD COLUMN erased_at TIMESTAMPTZ;
ALTER TABLE ticket_messages ADD COLUMN author_erased BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ticket_events ADD COLUMN actor_erased BOOLEAN NOT NULL DEFAULT FALSE;
