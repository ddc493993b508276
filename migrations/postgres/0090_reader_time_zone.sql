-- Issue 12: dates in the reader's time zone (a contact's own setting, else
-- the tenant's; '' means not set: UTC for a tenant), and a knowledge base
-- anonymous visitors may read.
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN kb_public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contacts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
