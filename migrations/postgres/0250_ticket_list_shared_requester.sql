-- A contact's list reads the tickets shared with each of their sites
-- (0080) apart from their own, which another branch reads, so each entry
-- of this index was checked against the ticket's requester in the table:
-- for a member of a site of 100,000 tickets, a quarter of them shared,
-- the total's walk read 1,001 tickets from the table (2 ms of SQLite's
-- time, through the site's index, which SQLite chose as no better or
-- worse). The requester in the index spares those reads (0.14 ms), and
-- shared_with_site as a column of it, an equality SQLite counts, keeps
-- SQLite, which plans without statistics, from preferring the site's
-- index of the same first columns for the page's walk, as it did for
-- the wider index (docs/benchmarks.md, "A member's list").
DROP INDEX tickets_site_shared;
CREATE INDEX tickets_site_shared ON tickets (tenant_id, site_id, shared_with_site, contact_activity_at, number, requester_id)
    WHERE shared_with_site = TRUE;
