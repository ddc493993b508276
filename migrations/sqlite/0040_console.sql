-- The admin console: staff preferences, the first-password flag, staff
-- reset codes and set-password links (invitations), and when a client
-- last wrote on a ticket (staff read state follows client messages).
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN mute_ticket_emails INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tickets ADD COLUMN last_client_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE tickets SET last_client_at = COALESCE(
    (SELECT MAX(m.created_at) FROM ticket_messages AS m
     WHERE m.ticket_id = tickets.id AND m.author_kind = 'contact' AND m.internal = 0),
    created_at);

CREATE TABLE staff_password_links (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);

CREATE TABLE staff_reset_codes (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX staff_reset_codes_staff ON staff_reset_codes (tenant_id, staff_id);
