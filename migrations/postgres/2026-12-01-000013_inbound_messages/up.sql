-- Replies customers send to Janji's messages, posted by the organization's gateway. The
-- gateway's message id is the key: a replayed message is recognised and ignored.
CREATE TABLE inbound_messages (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    id TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    intent TEXT NOT NULL,
    customer_id TEXT REFERENCES customers (id),
    appointment_id TEXT REFERENCES appointments (id),
    PRIMARY KEY (organization_id, id)
);
