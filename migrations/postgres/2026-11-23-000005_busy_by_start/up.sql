-- Busy blocks are read by start within a window bounded below by the longest block, so
-- the index is on the start. The old one, on the end, made a read of one day scan every
-- later block of the location.
CREATE INDEX appointment_resources_location_start ON appointment_resources (location_id, block_starts_at);
DROP INDEX appointment_resources_location;
