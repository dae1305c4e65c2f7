-- Busy blocks are read by start within a window bounded below by the longest block, so
-- the index is on the start. The old one, on the end, made a read of one day scan every
-- later block of the location.
CREATE INDEX appointment_resources_location_start ON appointment_resources (location_id, block_starts_at);
DROP INDEX appointment_resources_location;

-- The overlap guard looks only at blocks that can overlap: none is longer than 1920
-- minutes (a 24-hour service with 4-hour buffers either side), so one that overlaps
-- starts after the new block's start minus that. Before, each insert scanned every
-- earlier block of the resource.
DROP TRIGGER appointment_resources_no_overlap_insert;
DROP TRIGGER appointment_resources_no_overlap_update;

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
