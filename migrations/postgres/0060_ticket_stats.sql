-- Counters behind the console's dashboard, kept in the write transactions
-- of the tickets they count (store/ticket_stats.go says why counters
-- rather than queries over tickets), and filled here from what exists.

-- When staff first wrote to the client: the first public staff message.
ALTER TABLE tickets ADD COLUMN first_response_at TIMESTAMPTZ;

-- Tickets opened and closings per day (days since 1970-01-01, UTC) and site.
CREATE TABLE ticket_stats (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day       BIGINT NOT NULL,
    site_id   BIGINT NOT NULL,
    opened    BIGINT NOT NULL DEFAULT 0,
    closed    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, site_id)
);

-- First responses per day, by response time rounded down to a bucket
-- (seconds; svcportal.FirstResponseBucket), so medians need no ticket rows.
CREATE TABLE ticket_first_responses (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day       BIGINT NOT NULL,
    bucket    BIGINT NOT NULL,
    tickets   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, bucket)
);

-- Tickets by site, current status, and whether anyone is assigned
-- (unassigned 1 when nobody is).
CREATE TABLE ticket_backlog (
    tenant_id  BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    site_id    BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    status     TEXT   NOT NULL,
    unassigned SMALLINT NOT NULL,
    tickets    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, site_id, status, unassigned)
);

-- backfill: the statements below recompute the counters from the tickets
-- (store/ticket_stats_test.go runs them again to check they agree with the
-- counters kept by writes). Closings before this migration are known only
-- by the tickets' last closing.
UPDATE tickets SET first_response_at = (
    SELECT MIN(m.created_at) FROM ticket_messages AS m
    WHERE m.ticket_id = tickets.id AND m.author_kind = 'staff' AND NOT m.internal);

INSERT INTO ticket_stats (tenant_id, day, site_id, opened, closed)
SELECT tenant_id, day, site_id, SUM(opened), SUM(closed) FROM (
    SELECT tenant_id, FLOOR(EXTRACT(EPOCH FROM created_at) / 86400)::BIGINT AS day, site_id, 1 AS opened, 0 AS closed FROM tickets
    UNION ALL
    SELECT tenant_id, FLOOR(EXTRACT(EPOCH FROM closed_at) / 86400)::BIGINT, site_id, 0, 1 FROM tickets
    WHERE status = 'closed' AND closed_at IS NOT NULL
) AS e GROUP BY tenant_id, day, site_id;

INSERT INTO ticket_first_responses (tenant_id, day, bucket, tickets)
SELECT tenant_id, day, bucket, COUNT(*) FROM (
    SELECT tenant_id, FLOOR(EXTRACT(EPOCH FROM first_response_at) / 86400)::BIGINT AS day,
        CASE
            WHEN s < 0 THEN 0
            WHEN s < 7200 THEN s / 60 * 60
            WHEN s < 86400 THEN s / 300 * 300
            WHEN s < 604800 THEN s / 3600 * 3600
            ELSE LEAST(s, 7776000) / 86400 * 86400
        END AS bucket
    FROM (SELECT tenant_id, first_response_at,
              FLOOR(EXTRACT(EPOCH FROM first_response_at - created_at))::BIGINT AS s
          FROM tickets WHERE first_response_at IS NOT NULL) AS r
) AS b GROUP BY tenant_id, day, bucket;

INSERT INTO ticket_backlog (tenant_id, site_id, status, unassigned, tickets)
SELECT tenant_id, site_id, status, CASE WHEN assignee_id = 0 THEN 1 ELSE 0 END, COUNT(*) FROM tickets
GROUP BY tenant_id, site_id, status, CASE WHEN assignee_id = 0 THEN 1 ELSE 0 END;

-- Each article's votes, kept by the vote's transaction: the dashboard
-- ranks articles without counting votes.
ALTER TABLE kb_articles ADD COLUMN votes_helpful BIGINT NOT NULL DEFAULT 0;
ALTER TABLE kb_articles ADD COLUMN votes_not_helpful BIGINT NOT NULL DEFAULT 0;
UPDATE kb_articles SET
    votes_helpful = (SELECT COUNT(*) FROM kb_votes AS v WHERE v.article_id = kb_articles.id AND v.helpful),
    votes_not_helpful = (SELECT COUNT(*) FROM kb_votes AS v WHERE v.article_id = kb_articles.id AND NOT v.helpful);
CREATE INDEX kb_articles_votes ON kb_articles (tenant_id, (votes_helpful + votes_not_helpful));
