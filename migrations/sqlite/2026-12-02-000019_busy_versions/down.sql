DROP TRIGGER appointment_resources_busy_insert;
DROP TRIGGER appointment_resources_busy_update;
DROP TRIGGER appointment_resources_busy_delete;
DROP TRIGGER resources_busy_version;
ALTER TABLE resources ADD COLUMN busy_version BIGINT NOT NULL DEFAULT 0;
UPDATE resources SET busy_version = (SELECT busy_version FROM busy_versions WHERE resource_id = resources.id);
DROP TABLE busy_versions;

CREATE TRIGGER appointment_resources_busy_insert AFTER INSERT ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1 WHERE id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_update AFTER UPDATE ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1
    WHERE id = OLD.resource_id OR id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_delete AFTER DELETE ON appointment_resources
BEGIN
    UPDATE resources SET busy_version = busy_version + 1 WHERE id = OLD.resource_id;
END;
