-- The email outbox: each message is written in the same transaction as the
-- change that causes it, then delivered by the mail worker with retries.
-- Delivered and abandoned messages stay, with their status and last error.
CREATE TABLE outbound_emails (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    to_name         TEXT    NOT NULL DEFAULT '',
    from_name       TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
-- The worker's claim: pending messages by due time.
CREATE INDEX outbound_emails_due ON outbound_emails (status, next_attempt_at);
-- A tenant's messages, newest first.
CREATE INDEX outbound_emails_tenant ON outbound_emails (tenant_id, created_at);
