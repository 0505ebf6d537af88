-- Each password check (form or HTTP Basic, right or wrong), for lockout: failures per username and per
-- client address in a window.
CREATE TABLE sign_in_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  -- SHA-256 (hex) of the username as typed, trimmed and lower-cased: enough to count by, and a password
  -- typed into the username field is not kept in clear.
  username_key text NOT NULL CHECK (username_key ~ '^[0-9a-f]{64}$'),
  -- The client address, IPv6 cut to its /64 (one host usually holds a whole /64).
  client_key text NOT NULL CHECK (length(client_key) <= 64),
  succeeded boolean NOT NULL
);
CREATE INDEX sign_in_attempts_by_username ON sign_in_attempts (username_key, at);
CREATE INDEX sign_in_attempts_by_client ON sign_in_attempts (client_key, at);
