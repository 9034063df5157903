-- Refused admin attempts are summarised (issue 12): one row per (time bucket, node, caller, key
-- id, command) holding a count, with the caller's text clipped. Retention and a row cap apply to
-- refused rows only, so a flood of refusals can never push out the record of a command that ran.
ALTER TABLE admin_audit ADD COLUMN attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1);
ALTER TABLE admin_audit ADD COLUMN last_at timestamptz;
ALTER TABLE admin_audit ADD COLUMN bucket timestamptz;
ALTER TABLE admin_audit ADD COLUMN refusal_key text;
CREATE UNIQUE INDEX admin_audit_refusal ON admin_audit (bucket, refusal_key) WHERE bucket IS NOT NULL;
CREATE INDEX admin_audit_refused_at ON admin_audit (at) WHERE outcome = 'refused';
-- Stream sequences already counted in a summary, so a redelivered refusal is not counted twice;
-- rows at or below the audit consumer's ack floor (never redelivered) are deleted.
CREATE TABLE admin_audit_refusal_seqs (
  stream text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (stream, seq)
);
