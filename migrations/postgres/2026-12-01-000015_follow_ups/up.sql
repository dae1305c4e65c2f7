-- Follow-ups, surveys, fee notices and their settings; per-location and per-service
-- overrides of the reminder timing and the organization's own templates (both JSON,
-- checked by the API); and the "needs a call" flag of an appointment (docs/reminders.md).
ALTER TABLE notification_settings ADD COLUMN unconfirmed_follow_up_minutes INTEGER;
ALTER TABLE notification_settings ADD COLUMN unconfirmed_call_minutes INTEGER;
ALTER TABLE notification_settings ADD COLUMN survey_url TEXT;
ALTER TABLE notification_settings ADD COLUMN templates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notification_settings ADD COLUMN overrides TEXT NOT NULL DEFAULT '[]';

-- An appointment staff should call about: raised at once (a message that failed), or
-- planned (an unconfirmed appointment at its check time) and raised by the dispatcher
-- when that time comes. One per appointment; staff recording their call deletes it.
CREATE TABLE call_flags (
    appointment_id TEXT PRIMARY KEY REFERENCES appointments (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    reason TEXT NOT NULL,
    since TIMESTAMP NOT NULL,
    raised BOOLEAN NOT NULL
);
CREATE INDEX call_flags_planned ON call_flags (since) WHERE NOT raised;
CREATE INDEX call_flags_raised ON call_flags (organization_id) WHERE raised;
