-- Each outbox row keeps the Message-ID of its email from its creation, the
-- same on every delivery attempt, so receivers can drop a duplicate.
-- Earlier rows get one derived from their id.
ALTER TABLE outbound_emails ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE outbound_emails SET message_id = 'outbox.' || id;
