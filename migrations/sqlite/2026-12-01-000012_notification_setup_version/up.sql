-- Whether an organization sends messages is part of its setup: a booking reads it from
-- the setup snapshot (no statement of its own), so a change of the settings bumps the
-- organization's setup version like any other setup change.
CREATE TRIGGER notification_settings_setup_insert AFTER INSERT ON notification_settings
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER notification_settings_setup_update AFTER UPDATE ON notification_settings
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER notification_settings_setup_delete AFTER DELETE ON notification_settings
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;
