-- Versions that let a process keep a location's schedule in memory and check it with one
-- cheap read per request (docs/performance.md). Triggers bump them in the same
-- transaction as the change, whatever code makes it, so a snapshot taken at version v
-- is current exactly while the stored version is still v.
--
-- `resources.busy_version`: bumped by every insert, update or delete of a busy block the
-- resource holds. One row per resource, so bookings of different bays never queue on it.
-- `organizations.setup_version`: bumped by every change to what a schedule is made of
-- (locations, resources, services and their lists, closures, booking defaults). Rare.
ALTER TABLE resources ADD COLUMN busy_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN setup_version BIGINT NOT NULL DEFAULT 0;

-- A resource's busy blocks are reloaded by resource and start.
CREATE INDEX appointment_resources_resource_start
    ON appointment_resources (resource_id, block_starts_at, block_ends_at);

CREATE FUNCTION janji_bump_busy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE resources SET busy_version = busy_version + 1 WHERE id = OLD.resource_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.resource_id <> OLD.resource_id) THEN
        UPDATE resources SET busy_version = busy_version + 1 WHERE id = NEW.resource_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER appointment_resources_busy_version
AFTER INSERT OR UPDATE OR DELETE ON appointment_resources
FOR EACH ROW EXECUTE FUNCTION janji_bump_busy();

-- For tables with an organization_id column.
CREATE FUNCTION janji_bump_setup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        org := OLD.organization_id;
    ELSE
        org := NEW.organization_id;
    END IF;
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = org;
    RETURN NULL;
END $$;

-- For a service's lists, which name the service, not the organization.
CREATE FUNCTION janji_bump_setup_of_service() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    service TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        service := OLD.service_id;
    ELSE
        service := NEW.service_id;
    END IF;
    UPDATE organizations SET setup_version = setup_version + 1
    WHERE id = (SELECT organization_id FROM services WHERE id = service);
    RETURN NULL;
END $$;

CREATE FUNCTION janji_bump_own_setup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.setup_version := OLD.setup_version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER locations_setup_version AFTER INSERT OR UPDATE OR DELETE ON locations
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
-- Not on `busy_version`, which every booking changes.
CREATE TRIGGER resources_setup_version_change
AFTER UPDATE OF organization_id, location_id, name, kind, weekly_hours, active ON resources
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
CREATE TRIGGER resources_setup_version AFTER INSERT OR DELETE ON resources
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
CREATE TRIGGER closures_setup_version AFTER INSERT OR UPDATE OR DELETE ON closures
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
CREATE TRIGGER services_setup_version AFTER INSERT OR UPDATE OR DELETE ON services
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
CREATE TRIGGER service_resources_setup_version
AFTER INSERT OR UPDATE OR DELETE ON service_resources
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup_of_service();
CREATE TRIGGER service_locations_setup_version
AFTER INSERT OR UPDATE OR DELETE ON service_locations
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup_of_service();
CREATE TRIGGER organizations_setup_version
BEFORE UPDATE OF time_zone, booking_lead_minutes, booking_horizon_days, slot_interval_minutes
ON organizations
FOR EACH ROW EXECUTE FUNCTION janji_bump_own_setup();
