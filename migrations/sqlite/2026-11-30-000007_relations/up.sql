-- Which resources a service may use and where it is offered, as rows with foreign keys
-- instead of JSON lists in `services`: deleting a resource or a location a service names
-- is refused by the database, so no service is left naming something that is gone.
-- `position` keeps the order the lists were given in.
CREATE TABLE service_resources (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL REFERENCES resources (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (service_id, resource_id)
);
CREATE INDEX service_resources_resource ON service_resources (resource_id);

CREATE TABLE service_locations (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (service_id, location_id)
);
CREATE INDEX service_locations_location ON service_locations (location_id);

-- Ids that name nothing (left by a deleted resource or location) are not carried over:
-- a missing resource never restricted anything, and a missing location offered nothing.
INSERT INTO service_resources (service_id, resource_id, position)
SELECT s.id, e.value, MIN(CAST(e.key AS INTEGER))
FROM services s, json_each(s.resource_ids) e
JOIN resources r ON r.id = e.value AND r.organization_id = s.organization_id
GROUP BY s.id, e.value;

INSERT INTO service_locations (service_id, location_id, position)
SELECT s.id, e.value, MIN(CAST(e.key AS INTEGER))
FROM services s, json_each(s.location_ids) e
JOIN locations l ON l.id = e.value AND l.organization_id = s.organization_id
GROUP BY s.id, e.value;

-- A service whose every listed location is gone was offered nowhere; with an empty list
-- it would be offered everywhere. It stays unbookable, now visibly: inactive.
UPDATE services SET active = 0
WHERE json_array_length(location_ids) > 0
  AND NOT EXISTS (SELECT 1 FROM service_locations sl WHERE sl.service_id = services.id);

ALTER TABLE services DROP COLUMN resource_ids;
ALTER TABLE services DROP COLUMN location_ids;

-- The busy-block reads and the overlap guard below look back only as far as the longest
-- block (`MAX_BLOCK`: a 1440-minute service with 240-minute buffers either side); a longer
-- block would be missed by both, so the database refuses one. SQLite adds a CHECK only
-- by rebuilding the table; nothing refers to it, and its indexes and triggers (as of
-- 000005) are made again. Times are text (`2026-11-30 02:00:00[.fff]`), compared with the
-- start plus the limit in the same format, fraction included.
CREATE TABLE appointment_resources_new (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    block_starts_at TIMESTAMP NOT NULL,
    block_ends_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (appointment_id, resource_id),
    CHECK (block_ends_at > block_starts_at),
    CONSTRAINT appointment_resources_block_max
        CHECK (block_ends_at <= strftime('%Y-%m-%d %H:%M:%f', block_starts_at, '+1920 minutes'))
);
INSERT INTO appointment_resources_new
    (appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active)
SELECT appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active
FROM appointment_resources;
DROP TABLE appointment_resources;
ALTER TABLE appointment_resources_new RENAME TO appointment_resources;

CREATE INDEX appointment_resources_resource ON appointment_resources (resource_id, block_starts_at);
CREATE INDEX appointment_resources_location_start ON appointment_resources (location_id, block_starts_at);

CREATE TRIGGER appointment_resources_no_overlap_insert
BEFORE INSERT ON appointment_resources
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM appointment_resources o
    WHERE o.resource_id = NEW.resource_id AND o.active
      AND o.block_starts_at > datetime(NEW.block_starts_at, '-1920 minutes')
      AND o.block_starts_at < NEW.block_ends_at AND o.block_ends_at > NEW.block_starts_at
)
BEGIN
    SELECT RAISE(ABORT, 'appointment_resources_no_overlap');
END;

CREATE TRIGGER appointment_resources_no_overlap_update
BEFORE UPDATE ON appointment_resources
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM appointment_resources o
    WHERE o.resource_id = NEW.resource_id AND o.active
      AND NOT (o.appointment_id = OLD.appointment_id AND o.resource_id = OLD.resource_id)
      AND o.block_starts_at > datetime(NEW.block_starts_at, '-1920 minutes')
      AND o.block_starts_at < NEW.block_ends_at AND o.block_ends_at > NEW.block_starts_at
)
BEGIN
    SELECT RAISE(ABORT, 'appointment_resources_no_overlap');
END;
