-- Customers' self-service links (docs/self-service.md). A link is a 256-bit token the
-- customer holds; only its SHA-256 (hex) is kept, so a copy of the database opens
-- nothing. It is bound to one appointment of one organization; when and whether it still
-- opens is decided at each use from the appointment as it is then (its end, the policy's
-- no-show rebooking window, whether it is cancelled), so nothing here expires by itself.
-- A link issued by staff has no message; a link carried by a message names it: its token
-- is derived from the server's key and the message id at send time, never stored.
CREATE TABLE customer_links (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    token_hash TEXT NOT NULL,
    message_id TEXT,
    created_at TIMESTAMP NOT NULL
);
-- The one statement a use of a link takes finds it by its hash.
CREATE UNIQUE INDEX customer_links_token_hash ON customer_links (token_hash);
CREATE INDEX customer_links_appointment ON customer_links (appointment_id);
