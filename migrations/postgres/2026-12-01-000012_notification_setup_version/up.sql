-- Whether an organization sends messages is part of its setup: a booking reads it from
-- the setup snapshot (no statement of its own), so a change of the settings bumps the
-- organization's setup version like any other setup change.
CREATE TRIGGER notification_settings_setup_version
AFTER INSERT OR UPDATE OR DELETE ON notification_settings
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
