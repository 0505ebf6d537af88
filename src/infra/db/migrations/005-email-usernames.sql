-- People may be named by their work email address (as an identity provider would name them): usernames may
-- now hold "@" and be up to 100 characters.
ALTER TABLE users DROP CONSTRAINT users_username_check;
ALTER TABLE users ADD CONSTRAINT users_username_check CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,99}$');
