ALTER TABLE resources ADD COLUMN busy_version BIGINT NOT NULL DEFAULT 0;
UPDATE resources SET busy_version = v.busy_version FROM busy_versions v WHERE v.resource_id = resources.id;

CREATE OR REPLACE FUNCTION janji_bump_busy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE resources SET busy_version = busy_version + 1 WHERE id = OLD.resource_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.resource_id <> OLD.resource_id) THEN
        UPDATE resources SET busy_version = busy_version + 1 WHERE id = NEW.resource_id;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER resources_busy_version ON resources;
DROP FUNCTION janji_add_busy_version();
DROP TABLE busy_versions;
