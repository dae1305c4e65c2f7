DROP INDEX customers_phone;
ALTER TABLE organizations DROP COLUMN country;
