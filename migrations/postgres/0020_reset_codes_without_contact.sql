-- A reset request for an address without an active account stores a code
-- row too, without a contact, so that both answers do the same work.
ALTER TABLE reset_codes ALTER COLUMN contact_id DROP NOT NULL;
