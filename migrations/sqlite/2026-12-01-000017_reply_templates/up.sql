-- An organization's own reply words (per locale and intent) and answers to replies (per
-- answer kind and locale), both JSON like `templates`; `[]` keeps Janji's own. They live
-- on the settings row, so a change bumps its version and the organization's setup
-- version through the existing triggers.
ALTER TABLE notification_settings ADD COLUMN reply_words TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notification_settings ADD COLUMN reply_answers TEXT NOT NULL DEFAULT '[]';
