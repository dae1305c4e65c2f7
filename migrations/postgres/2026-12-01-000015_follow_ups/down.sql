DROP TABLE call_flags;
ALTER TABLE notification_settings DROP COLUMN overrides;
ALTER TABLE notification_settings DROP COLUMN templates;
ALTER TABLE notification_settings DROP COLUMN survey_url;
ALTER TABLE notification_settings DROP COLUMN unconfirmed_call_minutes;
ALTER TABLE notification_settings DROP COLUMN unconfirmed_follow_up_minutes;
