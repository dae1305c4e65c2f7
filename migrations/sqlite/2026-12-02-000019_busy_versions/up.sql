-- A resource's busy version moves to a narrow table of its own, as in PostgreSQL's
-- migration (where the reason is row locks): a booking's bump rewrites a two-column row,
-- not the resource's.
CREATE TABLE busy_versions (
    resource_id TEXT PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    busy_version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO busy_versions (resource_id, busy_version) SELECT id, busy_version FROM resources;

DROP TRIGGER appointment_resources_busy_insert;
DROP TRIGGER appointment_resources_busy_update;
DROP TRIGGER appointment_resources_busy_delete;
ALTER TABLE resources DROP COLUMN busy_version;

-- Every resource has its row from the start, whatever code creates it.
CREATE TRIGGER resources_busy_version AFTER INSERT ON resources
BEGIN
    INSERT INTO busy_versions (resource_id) VALUES (NEW.id);
END;

CREATE TRIGGER appointment_resources_busy_insert AFTER INSERT ON appointment_resources
BEGIN
    UPDATE busy_versions SET busy_version = busy_version + 1 WHERE resource_id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_update AFTER UPDATE ON appointment_resources
BEGIN
    UPDATE busy_versions SET busy_version = busy_version + 1
    WHERE resource_id = OLD.resource_id OR resource_id = NEW.resource_id;
END;
CREATE TRIGGER appointment_resources_busy_delete AFTER DELETE ON appointment_resources
BEGIN
    UPDATE busy_versions SET busy_version = busy_version + 1 WHERE resource_id = OLD.resource_id;
END;
