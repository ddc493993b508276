-- A contact's own tickets are read from this index (0080) in the list's
-- order; under a filter on the status — the help center home's two
-- short lists of the reader's open tickets and of those waiting for them
-- — each entry was checked against the ticket's status in the table. A
-- reader's latest activity is mostly on tickets waiting for them (a
-- status change they see moves it), so the list of open ones read
-- hundreds of tickets for five: 0.9 ms for a seeded reader of 2,000
-- tickets at a million, two lists a page. The status in the index
-- spares those reads (0.08 ms; docs/benchmarks.md, "The help center
-- home's own tickets").
DROP INDEX tickets_requester_activity;
CREATE INDEX tickets_requester_activity ON tickets (tenant_id, requester_id, site_id, contact_activity_at, number, status);
