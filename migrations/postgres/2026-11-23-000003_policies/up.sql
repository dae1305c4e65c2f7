-- Reschedule and cancellation policies. One per scope: the organization, a location, a
-- service, or a service at a location; the most specific applies.
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    location_id TEXT REFERENCES locations (id),
    service_id TEXT REFERENCES services (id),
    -- 'organization', 'location:<id>', 'service:<id>' or 'location:<id>/service:<id>':
    -- unique per organization (a unique index over nullable columns would allow twins).
    scope_key TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- The validated policy document (JSON).
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX policies_scope ON policies (organization_id, scope_key);
