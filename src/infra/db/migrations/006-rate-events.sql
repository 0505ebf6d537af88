-- Events counted by a rate limit (an upload through an agency link), per key, over a sliding window: kept here
-- so that every web instance counts the same events. Rows older than the window are deleted as the key is used.
CREATE TABLE rate_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- What is counted and whose: `upload/<inspection>/<agency>/<run>/<link version>` (no child data).
  key text NOT NULL CHECK (length(key) <= 300),
  at timestamptz NOT NULL
);
CREATE INDEX rate_events_by_key ON rate_events (key, at);
