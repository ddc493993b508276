-- A site's provider may require single sign-on: an address of its
-- domains can then no longer sign in with a password nor get a reset
-- code (staff are not concerned). Off by default.
ALTER TABLE site_oidc ADD COLUMN require_sso INTEGER NOT NULL DEFAULT 0;
