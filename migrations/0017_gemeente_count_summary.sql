-- The start page's counts per gemeente, kept in the same transaction as every write that
-- changes them (features/dashboard/counts.rs). `count_rows` holds what each plan adds to
-- the counts (the rows of the counts' statement for that plan alone), `count_summary` their
-- sum over every plan that is not archived, and `counts_stale` the plans whose rows are to be
-- made anew. Triggers mark a plan stale whenever one of the facts its counts follow from
-- changes (the plan's stage, working area, archiving; its working areas, opgaven and
-- rollouts; an area's place or kind, an item's kind), from any door; the write path makes
-- their rows anew before it commits. While a plan is marked, the counts are answered from the
-- facts themselves, so they are never stale.
CREATE TABLE count_rows (
    plan_id  TEXT NOT NULL,
    part     TEXT NOT NULL,
    area     TEXT NOT NULL,
    theme    TEXT NOT NULL,
    via      TEXT NOT NULL,
    own      TEXT NOT NULL,
    covered  BIGINT NOT NULL,
    n        BIGINT NOT NULL
);
CREATE INDEX count_rows_plan ON count_rows (plan_id);

CREATE TABLE count_summary (
    part     TEXT NOT NULL,
    area     TEXT NOT NULL,
    theme    TEXT NOT NULL,
    via      TEXT NOT NULL,
    own      TEXT NOT NULL,
    covered  BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (part, area, theme, via, own, covered)
);

CREATE TABLE counts_stale (
    plan_id  TEXT NOT NULL
);
CREATE INDEX counts_stale_plan ON counts_stale (plan_id);

INSERT INTO counts_stale (plan_id) SELECT id FROM plans;

-- sqlite: CREATE TRIGGER counts_plan_insert AFTER INSERT ON plans BEGIN INSERT INTO counts_stale (plan_id) VALUES (NEW.id); END;
-- sqlite: CREATE TRIGGER counts_plan_delete AFTER DELETE ON plans BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.id); END;
-- sqlite: CREATE TRIGGER counts_plan_update AFTER UPDATE OF id, stage, area_id, archived ON plans WHEN OLD.id IS NOT NEW.id OR OLD.stage IS NOT NEW.stage OR OLD.area_id IS NOT NEW.area_id OR OLD.archived IS NOT NEW.archived BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.id); INSERT INTO counts_stale (plan_id) VALUES (NEW.id); END;
-- sqlite: CREATE TRIGGER counts_plan_areas_insert AFTER INSERT ON plan_areas BEGIN INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_plan_areas_delete AFTER DELETE ON plan_areas BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); END;
-- sqlite: CREATE TRIGGER counts_plan_areas_update AFTER UPDATE OF plan_id, area_id ON plan_areas BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_plan_framework_insert AFTER INSERT ON plan_framework BEGIN INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_plan_framework_delete AFTER DELETE ON plan_framework BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); END;
-- sqlite: CREATE TRIGGER counts_plan_framework_update AFTER UPDATE OF plan_id, item_id ON plan_framework BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_rollouts_insert AFTER INSERT ON rollouts BEGIN INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_rollouts_delete AFTER DELETE ON rollouts BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); END;
-- sqlite: CREATE TRIGGER counts_rollouts_update AFTER UPDATE OF plan_id, gemeente_id, status ON rollouts WHEN OLD.plan_id IS NOT NEW.plan_id OR OLD.gemeente_id IS NOT NEW.gemeente_id OR OLD.status IS NOT NEW.status BEGIN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END;
-- sqlite: CREATE TRIGGER counts_areas_update AFTER UPDATE OF id, parent_id, kind ON areas WHEN OLD.id IS NOT NEW.id OR OLD.parent_id IS NOT NEW.parent_id OR OLD.kind IS NOT NEW.kind BEGIN INSERT INTO counts_stale (plan_id) SELECT id FROM plans; END;
-- sqlite: CREATE TRIGGER counts_areas_insert AFTER INSERT ON areas WHEN NEW.kind = 'regio' BEGIN INSERT INTO counts_stale (plan_id) SELECT id FROM plans; END;
-- sqlite: CREATE TRIGGER counts_areas_delete AFTER DELETE ON areas WHEN OLD.kind = 'regio' BEGIN INSERT INTO counts_stale (plan_id) SELECT id FROM plans; END;
-- sqlite: CREATE TRIGGER counts_items_update AFTER UPDATE OF id, kind ON framework_items WHEN OLD.id IS NOT NEW.id OR OLD.kind IS NOT NEW.kind BEGIN INSERT INTO counts_stale (plan_id) SELECT plan_id FROM plan_framework WHERE item_id IN (OLD.id, NEW.id); END;

-- postgres: CREATE FUNCTION counts_stale_plan() RETURNS trigger LANGUAGE plpgsql AS $$
-- postgres: BEGIN
-- postgres:     IF TG_TABLE_NAME = 'plans' THEN
-- postgres:         IF TG_OP <> 'INSERT' THEN INSERT INTO counts_stale (plan_id) VALUES (OLD.id); END IF;
-- postgres:         IF TG_OP <> 'DELETE' THEN INSERT INTO counts_stale (plan_id) VALUES (NEW.id); END IF;
-- postgres:     ELSE
-- postgres:         IF TG_OP <> 'INSERT' THEN INSERT INTO counts_stale (plan_id) VALUES (OLD.plan_id); END IF;
-- postgres:         IF TG_OP <> 'DELETE' THEN INSERT INTO counts_stale (plan_id) VALUES (NEW.plan_id); END IF;
-- postgres:     END IF;
-- postgres:     RETURN NULL;
-- postgres: END $$;
-- postgres: CREATE FUNCTION counts_stale_all() RETURNS trigger LANGUAGE plpgsql AS $$
-- postgres: BEGIN
-- postgres:     INSERT INTO counts_stale (plan_id) SELECT id FROM plans;
-- postgres:     RETURN NULL;
-- postgres: END $$;
-- postgres: CREATE FUNCTION counts_stale_item() RETURNS trigger LANGUAGE plpgsql AS $$
-- postgres: BEGIN
-- postgres:     INSERT INTO counts_stale (plan_id) SELECT plan_id FROM plan_framework WHERE item_id IN (OLD.id, NEW.id);
-- postgres:     RETURN NULL;
-- postgres: END $$;
-- postgres: CREATE TRIGGER counts_plan_insert_delete AFTER INSERT OR DELETE ON plans FOR EACH ROW EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_plan_update AFTER UPDATE OF id, stage, area_id, archived ON plans FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.area_id IS DISTINCT FROM NEW.area_id OR OLD.archived IS DISTINCT FROM NEW.archived) EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_plan_areas AFTER INSERT OR DELETE OR UPDATE OF plan_id, area_id ON plan_areas FOR EACH ROW EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_plan_framework AFTER INSERT OR DELETE OR UPDATE OF plan_id, item_id ON plan_framework FOR EACH ROW EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_rollouts_insert_delete AFTER INSERT OR DELETE ON rollouts FOR EACH ROW EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_rollouts_update AFTER UPDATE OF plan_id, gemeente_id, status ON rollouts FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id OR OLD.gemeente_id IS DISTINCT FROM NEW.gemeente_id OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION counts_stale_plan();
-- postgres: CREATE TRIGGER counts_areas_update AFTER UPDATE OF id, parent_id, kind ON areas FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION counts_stale_all();
-- postgres: CREATE TRIGGER counts_areas_insert AFTER INSERT ON areas FOR EACH ROW WHEN (NEW.kind = 'regio') EXECUTE FUNCTION counts_stale_all();
-- postgres: CREATE TRIGGER counts_areas_delete AFTER DELETE ON areas FOR EACH ROW WHEN (OLD.kind = 'regio') EXECUTE FUNCTION counts_stale_all();
-- postgres: CREATE TRIGGER counts_items_update AFTER UPDATE OF id, kind ON framework_items FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION counts_stale_item();
