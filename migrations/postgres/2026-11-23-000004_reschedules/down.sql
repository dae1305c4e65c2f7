DROP TABLE fees;
ALTER TABLE appointment_events DROP COLUMN details;
ALTER TABLE appointments DROP COLUMN no_show_at;
ALTER TABLE appointments DROP COLUMN original_starts_at;
ALTER TABLE appointments DROP COLUMN moves;
