-- What a staff page hands to the next over a redirect (post/redirect/get), kept server-side and bound to the
-- session: the outcome or the problems to show once, the values typed, or the answers a check-your-answers page
-- shows before they are acted on. Gone with the session; rows older than a day are deleted as new ones come.
CREATE TABLE page_notes (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22}$'),
  session_hash text NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  -- Set when the answers of a check-your-answers page are acted on: a second click of the button counts once.
  used_at timestamptz
);
CREATE INDEX page_notes_by_age ON page_notes (created_at);
