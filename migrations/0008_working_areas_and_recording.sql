-- Working areas (werkgebied) and when a history step was recorded.
--
-- A plan runs in one or more areas: the Utrechtse Fabriek voor Zorgtransformatie belongs to
-- Zuidoost Utrecht but runs in ZOU, Lekstroom, Stad and West. Its gemeenten are those areas'
-- gemeenten. A plan without rows here runs in its own area (`plans.area_id`).
CREATE TABLE plan_areas (
    plan_id   TEXT NOT NULL REFERENCES plans (id),
    area_id   TEXT NOT NULL REFERENCES areas (id),
    position  BIGINT NOT NULL,
    PRIMARY KEY (plan_id, area_id)
);
CREATE INDEX plan_areas_area ON plan_areas (area_id);

-- The moment (UTC, YYYY-MM-DDTHH:MM:SSZ) a stage step or a rollout step was entered in
-- regiomonitor by a person, besides the date it took effect (`date`). NULL for a step that
-- came in with a portfolio file: it was recorded by its source, on the source's date. A step
-- recorded after its effective date is shown as "nagekomen".
ALTER TABLE stage_history ADD COLUMN recorded_at TEXT;
ALTER TABLE rollout_history ADD COLUMN recorded_at TEXT;


-- Which write an entry of the trail belongs to: every entry of one save carries the same id,
-- so "Wat is er veranderd" shows one save as one change, however many fields it changed and
-- however many saves fall in one second. NULL for entries written before.
ALTER TABLE audit_log ADD COLUMN write_id TEXT;

-- The last day a step's effective date may lie on (YYYY-MM-DD: the end of its day, month,
-- quarter, season or stretch); NULL when the date is unknown. "Wat is er veranderd sinds ..."
-- finds the steps of a period through it instead of reading the whole history, since a date
-- with its precision ("najaar 2025") does not compare as text. Filled on every write; steps
-- stored before are filled once at start (store::fill_step_ends).
ALTER TABLE stage_history ADD COLUMN ends_on TEXT;
ALTER TABLE rollout_history ADD COLUMN ends_on TEXT;
CREATE INDEX stage_history_ends_on ON stage_history (ends_on);
CREATE INDEX rollout_history_ends_on ON rollout_history (ends_on);
CREATE INDEX stage_history_recorded_at ON stage_history (recorded_at);
CREATE INDEX rollout_history_recorded_at ON rollout_history (recorded_at);
