DROP TRIGGER webhook_endpoints_setup_delete;
DROP TRIGGER webhook_endpoints_setup_update;
DROP TRIGGER webhook_endpoints_setup_insert;
DROP INDEX outbox_messages_endpoint;
ALTER TABLE outbox_messages DROP COLUMN event_type;
ALTER TABLE outbox_messages DROP COLUMN endpoint_id;
DROP TABLE webhook_endpoints;
