-- A quality run whose worst check only warned is stored as WARN (before: PASSED with summary.status = 'WARN').
ALTER TABLE quality_reports DROP CONSTRAINT quality_reports_status_check;
ALTER TABLE quality_reports ADD CONSTRAINT quality_reports_status_check CHECK (status IN ('RUNNING', 'PASSED', 'WARN', 'FAILED', 'ERROR'));
UPDATE quality_reports SET status = 'WARN' WHERE status = 'PASSED' AND summary->>'status' = 'WARN';
