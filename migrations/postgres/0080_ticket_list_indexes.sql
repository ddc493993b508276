-- Ticket lists read a page from an index in order and stop, whatever the
-- number of tickets (docs/benchmarks.md). A contact's list is the union
-- of a few branches of the visibility rule (a managed site; their own
-- tickets in a site; a site's shared tickets; their CC), each an ordered
-- scan of one index below, merged by the sort key.
--
-- contact_activity_at is when a contact who sees the status last saw the
-- ticket change (tickets.ContactUpdatedAt): the later of the last public
-- message and the last status change. A generated column, so every
-- writer keeps it right without knowing of it.
ALTER TABLE tickets ADD COLUMN contact_activity_at TIMESTAMPTZ
    GENERATED ALWAYS AS (GREATEST(status_changed_at, last_public_at)) STORED;

DROP INDEX tickets_site;
DROP INDEX tickets_requester;
DROP INDEX tickets_status;

-- A site manager's site, newest activity first.
CREATE INDEX tickets_site_activity ON tickets (tenant_id, site_id, contact_activity_at, number);
-- A contact's own tickets, per site (the same prefix finds the sites of
-- their tickets with one seek each).
CREATE INDEX tickets_requester_activity ON tickets (tenant_id, requester_id, site_id, contact_activity_at, number);
-- The tickets shared with a site.
CREATE INDEX tickets_site_shared ON tickets (tenant_id, site_id, contact_activity_at, number)
    WHERE shared_with_site = TRUE;
-- Lists by number (and by creation, which follows the number).
CREATE INDEX tickets_site_number ON tickets (tenant_id, site_id, number);
-- The console's queue: by site, by assignee (tickets_updated serves the
-- whole tenant).
CREATE INDEX tickets_site_updated ON tickets (tenant_id, site_id, updated_at, number);
CREATE INDEX tickets_assignee_updated ON tickets (tenant_id, assignee_id, updated_at, number);
-- Counts per status, and the auto-close job's tickets waiting on a client.
CREATE INDEX tickets_status ON tickets (tenant_id, status, status_changed_at);
