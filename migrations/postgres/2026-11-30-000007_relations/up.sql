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
SELECT s.id, e.value, MIN(e.ordinality) - 1
FROM services s
CROSS JOIN LATERAL json_array_elements_text(s.resource_ids::json) WITH ORDINALITY AS e (value, ordinality)
JOIN resources r ON r.id = e.value AND r.organization_id = s.organization_id
GROUP BY s.id, e.value;

INSERT INTO service_locations (service_id, location_id, position)
SELECT s.id, e.value, MIN(e.ordinality) - 1
FROM services s
CROSS JOIN LATERAL json_array_elements_text(s.location_ids::json) WITH ORDINALITY AS e (value, ordinality)
JOIN locations l ON l.id = e.value AND l.organization_id = s.organization_id
GROUP BY s.id, e.value;

-- A service whose every listed location is gone was offered nowhere; with an empty list
-- it would be offered everywhere. It stays unbookable, now visibly: inactive.
UPDATE services SET active = FALSE
WHERE json_array_length(location_ids::json) > 0
  AND NOT EXISTS (SELECT 1 FROM service_locations sl WHERE sl.service_id = services.id);

ALTER TABLE services DROP COLUMN resource_ids;
ALTER TABLE services DROP COLUMN location_ids;

-- The busy-block reads and the SQLite overlap guard look back only as far as the longest
-- block (`MAX_BLOCK`: a 1440-minute service with 240-minute buffers either side); a longer
-- block would be missed by both, so the database refuses one.
ALTER TABLE appointment_resources ADD CONSTRAINT appointment_resources_block_max
    CHECK (block_ends_at - block_starts_at <= INTERVAL '1920 minutes');
