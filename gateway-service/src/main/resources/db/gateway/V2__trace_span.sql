-- The span (16 hex) of the request that submitted a run: the driver's later work for the run is
-- parented on it, so the whole run is one trace. Empty for runs submitted outside any span.
ALTER TABLE runs ADD COLUMN trace_span_id VARCHAR(16) DEFAULT '' NOT NULL;
