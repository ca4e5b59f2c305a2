-- The summary of the plan a plan run produced (issue 16), stored with its artifact: counts,
-- addresses, types, actions and output names as JSON, never a value. Bounded by the gateway
-- (at most 100 resources, outputs and drifts, a text of at most 64 KiB). NULL when the run
-- produced no summary. A decision's steps, environment and timeout live in the decision column.
ALTER TABLE runs ADD COLUMN plan_summary VARCHAR(1000000);
