-- Automatic demotions (issue 15): a champion that does significantly worse than the naive
-- forecast on its live bars is replaced by the naive forecast. The history records what happened
-- to the pointer (action) and allows "naive" as the new state: model_version is NULL then.
ALTER TABLE champion_history ALTER COLUMN model_version DROP NOT NULL;
ALTER TABLE champion_history ADD COLUMN action text NOT NULL DEFAULT 'promoted' CHECK (action IN ('promoted', 'rolled-back', 'demoted'));
UPDATE champion_history SET action = 'rolled-back' WHERE reason LIKE 'rollback from %';
