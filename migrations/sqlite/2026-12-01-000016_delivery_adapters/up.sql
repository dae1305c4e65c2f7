-- Built-in delivery adapters an organization can choose instead of its gateway, one per
-- channel: SMTP for e-mail, the WhatsApp Business Cloud API for WhatsApp
-- (docs/reminders.md). `settings` holds what is not secret (JSON); the credentials (SMTP
-- password, access token, app secret) are sealed with XChaCha20-Poly1305 under a key
-- derived from the server's secret key, bound to the organization and the kind; the
-- webhook verify token is kept only as its SHA-256.
CREATE TABLE delivery_adapters (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL CHECK (kind IN ('smtp', 'whatsapp_cloud')),
    settings TEXT NOT NULL,
    sealed_credentials TEXT NOT NULL,
    verify_token_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, kind)
);

-- Whether an organization sends messages is part of its setup (migration 000012).
CREATE TRIGGER delivery_adapters_setup_insert AFTER INSERT ON delivery_adapters
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER delivery_adapters_setup_update AFTER UPDATE ON delivery_adapters
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER delivery_adapters_setup_delete AFTER DELETE ON delivery_adapters
BEGIN
    UPDATE organizations SET setup_version = setup_version + 1 WHERE id = OLD.organization_id;
END;
