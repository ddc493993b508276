-- A tenant's own welcome-email text per locale (JSON object).
ALTER TABLE tenants ADD COLUMN welcome_email TEXT NOT NULL DEFAULT '{}';
