-- Run changes now store their audit events in audit_outbox (V9), shipped from there. Events an
-- older gateway left in audit_pending move over, oldest first; the table goes.
INSERT INTO audit_outbox (event_id, event, created_at)
SELECT event_id, event, created_at FROM audit_pending ORDER BY created_at, event_id;
DROP TABLE audit_pending;
