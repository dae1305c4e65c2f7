-- Integration webhooks (docs/webhooks.md): endpoints an organization's events are POSTed
-- to. Their deliveries are outbox rows like messages to customers (kind 'webhook'), so one
-- dispatcher, one lease, one delivery log and one retry serve both.

-- The signing secret is not stored: it is derived from the server's secret key, the
-- endpoint and the generation below, as the gateway's is.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL,
    description TEXT,
    -- JSON array of event types, e.g. ["appointment.booked", "fee.paid"].
    event_types TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    secret_generation INTEGER NOT NULL DEFAULT 1,
    previous_secret_until TIMESTAMP,
    -- Set when Janji turned the endpoint off (it answered 410 Gone), with why.
    disabled_at TIMESTAMP,
    disabled_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (organization_id, id);

-- A webhook delivery names its endpoint (NULL once the endpoint is deleted; the row keeps
-- its URL in `recipient`) and its event type.
ALTER TABLE outbox_messages ADD COLUMN endpoint_id TEXT REFERENCES webhook_endpoints (id) ON DELETE SET NULL;
ALTER TABLE outbox_messages ADD COLUMN event_type TEXT;
CREATE INDEX outbox_messages_endpoint ON outbox_messages (endpoint_id, status);

-- Whether an organization has an active endpoint is part of its setup snapshot (a booking
-- learns it without a statement), so any change of an endpoint bumps the setup version.
CREATE TRIGGER webhook_endpoints_setup_version
AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints
FOR EACH ROW EXECUTE FUNCTION janji_bump_setup();
