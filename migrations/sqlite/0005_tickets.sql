-- Tickets with gapless per-tenant numbers, CC lists, public messages and
-- internal notes, timeline events and per-reader read state.
CREATE TABLE ticket_counters (
    tenant_id   INTEGER PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_number INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,
    site_id           INTEGER NOT NULL REFERENCES sites (id),
    requester_id      INTEGER NOT NULL REFERENCES contacts (id),
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    type              TEXT    NOT NULL DEFAULT '',
    priority          TEXT    NOT NULL DEFAULT '',
    impact            TEXT    NOT NULL DEFAULT '',
    product_family    TEXT    NOT NULL DEFAULT '',
    assignee_id       INTEGER NOT NULL DEFAULT 0,
    fields            TEXT    NOT NULL DEFAULT '{}',
    shared_with_site  INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    status_changed_at TIMESTAMP NOT NULL,
    reminder_sent_at  TIMESTAMP,
    closed_at         TIMESTAMP,
    rating_satisfied  INTEGER,
    rating_comment    TEXT    NOT NULL DEFAULT '',
    last_public_at    TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, number)
);
CREATE INDEX tickets_site ON tickets (tenant_id, site_id, updated_at);
CREATE INDEX tickets_requester ON tickets (tenant_id, requester_id, updated_at);
CREATE INDEX tickets_status ON tickets (status, status_changed_at);

CREATE TABLE ticket_cc (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    email     TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, email)
);
CREATE INDEX ticket_cc_email ON ticket_cc (email);

CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_kind TEXT    NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL,
    internal    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, created_at);

CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_kind  TEXT    NOT NULL DEFAULT '',
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_name  TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    field       TEXT    NOT NULL DEFAULT '',
    from_value  TEXT    NOT NULL DEFAULT '',
    to_value    TEXT    NOT NULL DEFAULT '',
    comment     TEXT    NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, created_at);

CREATE TABLE ticket_reads (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    reader_kind TEXT    NOT NULL,
    reader_id   INTEGER NOT NULL,
    read_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, reader_kind, reader_id)
);
