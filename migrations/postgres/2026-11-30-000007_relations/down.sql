ALTER TABLE appointment_resources DROP CONSTRAINT appointment_resources_block_max;

ALTER TABLE services ADD COLUMN resource_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN location_ids TEXT NOT NULL DEFAULT '[]';
UPDATE services SET resource_ids = (
    SELECT json_agg(sr.resource_id ORDER BY sr.position)::text
    FROM service_resources sr WHERE sr.service_id = services.id
) WHERE EXISTS (SELECT 1 FROM service_resources sr WHERE sr.service_id = services.id);
UPDATE services SET location_ids = (
    SELECT json_agg(sl.location_id ORDER BY sl.position)::text
    FROM service_locations sl WHERE sl.service_id = services.id
) WHERE EXISTS (SELECT 1 FROM service_locations sl WHERE sl.service_id = services.id);
ALTER TABLE services ALTER COLUMN resource_ids DROP DEFAULT;
ALTER TABLE services ALTER COLUMN location_ids DROP DEFAULT;

DROP TABLE service_locations;
DROP TABLE service_resources;
