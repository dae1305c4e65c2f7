-- Messages to customers go through an outbox: the change that causes a message writes
-- its row in the same transaction, and a dispatcher sends it later (docs/reminders.md).

-- Where an organization's messages go, and how reminders are timed. No row: no messages.
-- The gateway's signing secret is not stored: it is derived from the server's secret key
-- and the generation below (docs/reminders.md, "Secrets").
CREATE TABLE notification_settings (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    gateway_url TEXT,
    secret_generation INTEGER NOT NULL DEFAULT 0,
    previous_secret_until TIMESTAMP,
    reminder_offsets TEXT NOT NULL,
    quiet_start TEXT,
    quiet_end TEXT,
    catch_up_minutes INTEGER NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
    CHECK (catch_up_minutes BETWEEN 0 AND 1440)
);

CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    appointment_id TEXT REFERENCES appointments (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    -- The JSON body sent, rendered when the message was written.
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- A dispatcher that claimed the row owns it until then; another may take it after.
    lease_token TEXT,
    lease_until TIMESTAMP,
    -- No attempt is made from then on (a reminder gives up when the appointment begins).
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_messages_appointment ON outbox_messages (appointment_id, status);
CREATE INDEX outbox_messages_org ON outbox_messages (organization_id, id);

-- Every attempt to deliver a message, for the delivery log.
CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES outbox_messages (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX delivery_attempts_message ON delivery_attempts (message_id, attempted_at);
