-- Why each finished run was or was not promoted (issue 15): the promotion rule's reason and
-- detail for every candidate of a round, e.g. "not-significant-vs-naive: Clark–West t 1.2, p 0.11
-- > Holm level 0.00020 (…)" or "promoted SYMBOL/v3: beats-naive: …". NULL for failed runs and for
-- runs recorded before this migration.
ALTER TABLE runs ADD COLUMN decision text;
