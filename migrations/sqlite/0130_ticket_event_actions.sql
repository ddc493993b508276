-- One line per action in a ticket's history: the events one change writes
-- (a reply and the status it reopens, several fields saved at once) name
-- the first of them in action_id; the first, and any event alone, keep 0.
ALTER TABLE ticket_events ADD COLUMN action_id INTEGER NOT NULL DEFAULT 0;

-- Earlier events: a change wrote its events with one timestamp and actor.
UPDATE ticket_events SET action_id = (
    SELECT MIN(p.id) FROM ticket_events p
    WHERE p.ticket_id = ticket_events.ticket_id AND p.created_at = ticket_events.created_at
      AND p.actor_kind = ticket_events.actor_kind AND p.actor_id = ticket_events.actor_id)
WHERE EXISTS (
    SELECT 1 FROM ticket_events p
    WHERE p.ticket_id = ticket_events.ticket_id AND p.created_at = ticket_events.created_at
      AND p.actor_kind = ticket_events.actor_kind AND p.actor_id = ticket_events.actor_id AND p.id < ticket_events.id);
