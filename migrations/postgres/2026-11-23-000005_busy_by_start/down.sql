CREATE INDEX appointment_resources_location ON appointment_resources (location_id, block_ends_at);
DROP INDEX appointment_resources_location_start;
