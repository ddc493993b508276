-- Inbound email: the Message-IDs already taken per tenant (so a message
-- delivered twice is handled once), and the Reply-To and References
-- headers of outgoing notifications, which carry the signed reply token.
CREATE TABLE inbound_messages (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_id    TEXT    NOT NULL,
    sender        TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    NOT NULL,
    ticket_number INTEGER NOT NULL DEFAULT 0,
    received_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, message_id)
);

ALTER TABLE outbound_emails ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_emails ADD COLUMN refs TEXT NOT NULL DEFAULT '';
