DROP TABLE appointment_events;
DROP TABLE appointment_resources;
DROP TABLE appointments;
ALTER TABLE locations DROP COLUMN slot_interval_minutes;
ALTER TABLE locations DROP COLUMN booking_horizon_days;
ALTER TABLE locations DROP COLUMN booking_lead_minutes;
ALTER TABLE organizations DROP COLUMN slot_interval_minutes;
ALTER TABLE organizations DROP COLUMN booking_horizon_days;
ALTER TABLE organizations DROP COLUMN booking_lead_minutes;
