CREATE INDEX appointment_resources_location ON appointment_resources (location_id, block_ends_at);
DROP INDEX appointment_resources_location_start;
DROP TRIGGER appointment_resources_no_overlap_insert;
DROP TRIGGER appointment_resources_no_overlap_update;

CREATE TRIGGER appointment_resources_no_overlap_insert
BEFORE INSERT ON appointment_resources
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM appointment_resources o
    WHERE o.resource_id = NEW.resource_id AND o.active
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
      AND o.block_starts_at < NEW.block_ends_at AND o.block_ends_at > NEW.block_starts_at
)
BEGIN
    SELECT RAISE(ABORT, 'appointment_resources_no_overlap');
END;
