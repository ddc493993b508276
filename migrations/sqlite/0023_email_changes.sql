-- A contact's new email address takes effect only once a link sent to it
-- is followed; only the SHA-256 of the link's token is stored.
CREATE TABLE email_changes (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    new_email  TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX email_changes_contact ON email_changes (tenant_id, contact_id);

-- When the address was last vouched for; NULL gives it nothing on CC
-- lists. Every existing address counts as vouched for at creation, except
-- where the audit log shows the contact changed it himself, without a
-- link, as earlier versions allowed.
ALTER TABLE contacts ADD COLUMN email_verified_at TIMESTAMP;
UPDATE contacts SET email_verified_at = created_at
WHERE NOT EXISTS (
    SELECT 1 FROM audit_log AS a
    WHERE a.tenant_id = contacts.tenant_id AND a.actor_kind = 'contact' AND a.actor_id = contacts.id
      AND a.action = 'profile_changed' AND (',' || a.detail || ',') LIKE '%,email,%'
);
