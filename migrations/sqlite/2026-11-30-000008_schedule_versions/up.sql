-- Versions that let a process keep a location's schedule in memory and check it with one
-- cheap read per request (docs/performance.md). Triggers bump them in the same
-- transaction as the change, whatever code makes it, so a snapshot taken at version v
-- is current exactly while the stored version is still v. (As in PostgreSQL's
-- migration; SQLite's triggers name one event each.)
ALTER TABLE resources ADD COLUMN busy_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN setup_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER appointment_resources_busy_insert AFTER INSERT ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1 WHERE id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_update AFTER UPDATE ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1
    WHERE id = OLD.resource_id OR id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_delete AFTER DELETE ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1 WHERE id = OLD.resource_id;
END;

CREATE TRIGGER locations_setup_insert AFTER INSERT ON locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER locations_setup_update AFTER UPDATE ON locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER locations_setup_delete AFTER DELETE ON locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER closures_setup_insert AFTER INSERT ON closures
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER closures_setup_update AFTER UPDATE ON closures
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER closures_setup_delete AFTER DELETE ON closures
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER services_setup_insert AFTER INSERT ON services
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER services_setup_update AFTER UPDATE ON services
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER services_setup_delete AFTER DELETE ON services
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER resources_setup_insert AFTER INSERT ON resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

-- Not on `busy_version`, which every booking changes.

CREATE TRIGGER resources_setup_update AFTER UPDATE OF organization_id, location_id, name, kind, weekly_hours, active ON resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER resources_setup_delete AFTER DELETE ON resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER service_resources_setup_insert AFTER INSERT ON service_resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = NEW.service_id);
END;

CREATE TRIGGER service_resources_setup_update AFTER UPDATE ON service_resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = NEW.service_id);
END;

CREATE TRIGGER service_resources_setup_delete AFTER DELETE ON service_resources
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = OLD.service_id);
END;

CREATE TRIGGER service_locations_setup_insert AFTER INSERT ON service_locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = NEW.service_id);
END;

CREATE TRIGGER service_locations_setup_update AFTER UPDATE ON service_locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = NEW.service_id);
END;

CREATE TRIGGER service_locations_setup_delete AFTER DELETE ON service_locations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = (SELECT organization_id FROM services WHERE id = OLD.service_id);
END;

-- Recursive triggers are off in SQLite, and this one's own update names no column it
-- watches.

CREATE TRIGGER organizations_setup_update AFTER UPDATE OF time_zone, booking_lead_minutes, booking_horizon_days, slot_interval_minutes ON organizations
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.id;
END;
