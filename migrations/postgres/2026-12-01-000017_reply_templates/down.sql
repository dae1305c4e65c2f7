ALTER TABLE notification_settings DROP COLUMN reply_answers;
ALTER TABLE notification_settings DROP COLUMN reply_words;
