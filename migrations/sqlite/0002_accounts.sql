-- Server-side sessions, shared throttling counters and the audit log.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY, -- SHA-256 of the cookie token
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    subject_id   INTEGER NOT NULL,
    csrf_token   TEXT    NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_subject ON sessions (tenant_id, kind, subject_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE throttle_counters (
    key          TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL,
    window_end   TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at         TIMESTAMP NOT NULL,
    actor_kind TEXT    NOT NULL DEFAULT '',
    actor_id   INTEGER NOT NULL DEFAULT 0,
    action     TEXT    NOT NULL,
    email      TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
