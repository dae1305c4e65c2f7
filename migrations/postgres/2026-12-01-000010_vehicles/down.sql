DROP INDEX appointments_vehicle;
ALTER TABLE appointments DROP COLUMN vehicle_id;
DROP TABLE vehicles;
