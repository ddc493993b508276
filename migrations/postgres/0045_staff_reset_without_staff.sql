-- A staff reset request for an address that is no active staff member's
-- stores a code row too, without a staff member, so that both answers do
-- the same work (as 0020 did for contacts).
ALTER TABLE staff_reset_codes ALTER COLUMN staff_id DROP NOT NULL;
