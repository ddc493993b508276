-- A platform operator may disable a tenant (portal tenant disable): its
-- hosts answer 404 and its jobs (outbox delivery, auto-close) skip it
-- until it is enabled again.
ALTER TABLE tenants ADD COLUMN disabled_at TIMESTAMP;
