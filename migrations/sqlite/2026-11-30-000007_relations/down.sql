-- The table as 000005 left it: without the longest-block CHECK.
CREATE TABLE appointment_resources_old (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    block_starts_at TIMESTAMP NOT NULL,
    block_ends_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (appointment_id, resource_id),
    CHECK (block_ends_at > block_starts_at)
);
INSERT INTO appointment_resources_old
    (appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active)
SELECT appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active
FROM appointment_resources;
DROP TABLE appointment_resources;
ALTER TABLE appointment_resources_old RENAME TO appointment_resources;

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

-- The lists back as JSON text, in their order; an empty one is `[]`.
ALTER TABLE services ADD COLUMN resource_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN location_ids TEXT NOT NULL DEFAULT '[]';
UPDATE services SET resource_ids = (
    SELECT json_group_array(sr.resource_id ORDER BY sr.position)
    FROM service_resources sr WHERE sr.service_id = services.id
) WHERE EXISTS (SELECT 1 FROM service_resources sr WHERE sr.service_id = services.id);
UPDATE services SET location_ids = (
    SELECT json_group_array(sl.location_id ORDER BY sl.position)
    FROM service_locations sl WHERE sl.service_id = services.id
) WHERE EXISTS (SELECT 1 FROM service_locations sl WHERE sl.service_id = services.id);

DROP TABLE service_locations;
DROP TABLE service_resources;
