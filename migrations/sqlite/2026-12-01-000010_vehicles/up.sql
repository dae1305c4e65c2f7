-- A customer's vehicles, found by plate at the front desk. The plate is stored in its
-- one normalised form ('B 1234 XYZ'), so a search normalises what was typed and looks it
-- up in the unique index: one indexed query, and two customers can never register one
-- plate, even when their requests race.
CREATE TABLE vehicles (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- A customer with no appointments may be deleted; their vehicles go with them.
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    plate TEXT NOT NULL,
    make TEXT,
    model TEXT,
    year INTEGER,
    odometer_km BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT vehicles_odometer_not_negative CHECK (odometer_km IS NULL OR odometer_km >= 0)
);
CREATE UNIQUE INDEX vehicles_plate ON vehicles (organization_id, plate);
CREATE INDEX vehicles_customer ON vehicles (customer_id, id);

-- The vehicle an appointment is for. A vehicle named by appointments is not deleted
-- (they keep it as their history). No foreign key here, unlike PostgreSQL: SQLite cannot
-- drop a column that has one (down.sql could not be written), and its one writer at a
-- time lets the delete's count of appointments decide alone.
ALTER TABLE appointments ADD COLUMN vehicle_id TEXT;
CREATE INDEX appointments_vehicle ON appointments (vehicle_id, starts_at, id)
    WHERE vehicle_id IS NOT NULL;
