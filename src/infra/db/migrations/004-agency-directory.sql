-- The contacts used last time, offered when the next inspection is started, and editable on their own.
CREATE TABLE agency_directory (
  agency_id text PRIMARY KEY
    CHECK (agency_id IN ('local-authority', 'police', 'health', 'probation', 'youth-justice', 'partnership')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  contact_email text NOT NULL CHECK (length(contact_email) <= 254),
  escalation_email text NOT NULL CHECK (length(escalation_email) <= 254),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

-- The partnership's coordinator: one row.
CREATE TABLE coordinator_contact (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (length(email) <= 254),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
