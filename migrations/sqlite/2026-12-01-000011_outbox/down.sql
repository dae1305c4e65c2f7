DROP TABLE delivery_attempts;
DROP TABLE outbox_messages;
DROP TABLE notification_settings;
