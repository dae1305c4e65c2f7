-- Booking rules: organization defaults, optional per-location overrides.
ALTER TABLE organizations ADD COLUMN booking_lead_minutes INTEGER NOT NULL DEFAULT 60;
ALTER TABLE organizations ADD COLUMN booking_horizon_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE organizations ADD COLUMN slot_interval_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE locations ADD COLUMN booking_lead_minutes INTEGER;
ALTER TABLE locations ADD COLUMN booking_horizon_days INTEGER;
ALTER TABLE locations ADD COLUMN slot_interval_minutes INTEGER;

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    -- The appointment plus the service's buffers: what no other booking may overlap.
    block_starts_at TIMESTAMP NOT NULL,
    block_ends_at TIMESTAMP NOT NULL,
    -- Local calendar date at the location (YYYY-MM-DD), for date filters in local time.
    local_date TEXT NOT NULL,
    notes TEXT,
    external_ref TEXT,
    cancel_reason_category TEXT,
    cancel_reason_text TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (block_starts_at <= starts_at AND block_ends_at >= ends_at)
);
CREATE INDEX appointments_org ON appointments (organization_id, id);
CREATE INDEX appointments_location_date ON appointments (location_id, local_date);
CREATE INDEX appointments_customer ON appointments (customer_id, starts_at);
CREATE UNIQUE INDEX appointments_external_ref ON appointments (organization_id, external_ref);

-- One row per resource an appointment holds. `active` is false once the appointment is
-- cancelled or a no-show, which frees the time.
CREATE TABLE appointment_resources (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    block_starts_at TIMESTAMP NOT NULL,
    block_ends_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (appointment_id, resource_id),
    CHECK (block_ends_at > block_starts_at)
);
CREATE INDEX appointment_resources_location ON appointment_resources (location_id, block_ends_at);

-- No double booking. Writers take the database lock at BEGIN (IMMEDIATE), so the
-- application's check cannot race; these triggers are the backstop should it miss.
CREATE TRIGGER appointment_resources_no_overlap_insert
BEFORE INSERT ON appointment_resources
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM appointment_resources o
    WHERE o.resource_id = NEW.resource_id AND o.active
      AND o.block_starts_at < NEW.block_ends_at AND o.block_ends_at > NEW.block_starts_at
)
BEGIN
    SELECT RAISE(ABORT, 'appointment_resources_no_overlap');
END;

CREATE TRIGGER appointment_resources_no_overlap_update
BEFORE UPDATE ON appointment_resources
WHEN NEW.active AND EXISTS (
    SELECT 1 FROM appointment_resources o
    WHERE o.resource_id = NEW.resource_id AND o.active
      AND NOT (o.appointment_id = OLD.appointment_id AND o.resource_id = OLD.resource_id)
      AND o.block_starts_at < NEW.block_ends_at AND o.block_ends_at > NEW.block_starts_at
)
BEGIN
    SELECT RAISE(ABORT, 'appointment_resources_no_overlap');
END;
CREATE INDEX appointment_resources_resource ON appointment_resources (resource_id, block_starts_at);

CREATE TABLE appointment_events (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    kind TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    changes TEXT NOT NULL,
    reason_category TEXT,
    reason_text TEXT,
    note TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, id);
