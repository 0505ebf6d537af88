-- Who did or saw what, append-only. Details never hold child data (see audit.ts).
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'agency', 'system')),
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z-]*(\.[a-z][a-z-]*)*$' AND length(action) <= 64),
  inspection_id text CHECK (length(inspection_id) <= 200),
  client_address text CHECK (length(client_address) <= 64),
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_by_inspection ON audit_log (inspection_id, id);

-- Refuse every change to a written line, in the database itself, whatever the code does. (The table's owner
-- can still drop the trigger: in production the web app's role should not own the table; see the docs.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
