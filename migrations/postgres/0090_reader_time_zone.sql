-- Issue 12: dates in the reader's time zone: a contact's own setting, else
-- the tenant's (tenants.time_zone, from 0070); '' means not set.
ALTER TABLE contacts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
