-- Customer identity: one customer per phone number within an organization.
--
-- The country whose national phone numbers (0812...) the organization's staff type;
-- ISO 3166-1 alpha-2.
ALTER TABLE organizations ADD COLUMN country TEXT NOT NULL DEFAULT 'ID';

-- Phones were accepted only in E.164 form until now, so they are already normalised,
-- except an Indonesian trunk 0 kept after the country code (+62 0812...), which the
-- phone metadata drops: drop it here too, so such a customer is found by their number.
UPDATE customers SET phone = '+62' || substr(phone, 5) WHERE phone LIKE '+620%';
UPDATE locations SET phone = '+62' || substr(phone, 5) WHERE phone LIKE '+620%';

-- Finding the customer a phone number belongs to. Not unique: customers who already
-- share a number survive the migration (`janji customers duplicates` lists them and
-- `janji customers merge` joins them); new ones are prevented under the organization's
-- row lock (docs/concurrency.md).
CREATE INDEX customers_phone ON customers (organization_id, phone);
