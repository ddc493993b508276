-- Lists are ordered by last update: this index lets a page be read in
-- order and stop, instead of sorting every visible ticket.
CREATE INDEX tickets_updated ON tickets (tenant_id, updated_at, number);
