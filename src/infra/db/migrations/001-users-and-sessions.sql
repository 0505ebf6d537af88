-- People who sign in to the staff pages, and their server-side sessions.
CREATE TABLE users (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
  role text NOT NULL CHECK (role IN ('coordinator', 'manager')),
  -- scrypt$N$r$p$<salt base64>$<hash base64>, as the users file had; NULL for single sign-on only.
  password_hash text CHECK (password_hash IS NULL OR password_hash LIKE 'scrypt$%'),
  -- The OpenID Connect issuer and subject ("sub") this user signs in as, if any.
  oidc_issuer text,
  oidc_subject text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
  UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE sessions (
  -- SHA-256 (hex) of the random id in the browser's cookie: a copy of this table signs nobody in.
  id_hash text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  username text NOT NULL REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE,
  -- Secret for this session's CSRF tokens: a new session at each sign-in, so a new secret.
  csrf_secret text NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  -- Absolute expiry, fixed at sign-in; the idle limit is checked against last_seen_at.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  client_address text
);
CREATE INDEX sessions_by_user ON sessions (username);
