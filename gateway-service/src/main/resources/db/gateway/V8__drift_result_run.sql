-- Drift status (issue 20, `ListDriftTargets`, `portcullis drift status`): which check's result the
-- target's state is, and when it was recorded. last_run_id names the most recent check, which may
-- still be pending while state still tells what the check before it found; result_run_id names
-- that earlier check's run (NULL when it could not be submitted, or before any check finished), so
-- its commit and plan summary (read from runs) go with the state they explain.
ALTER TABLE drift_targets ADD COLUMN result_run_id VARCHAR(36);
ALTER TABLE drift_targets ADD COLUMN result_at TIMESTAMP WITH TIME ZONE;
