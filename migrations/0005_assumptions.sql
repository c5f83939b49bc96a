-- Aannames: a value the data states as a reasoned choice the documents do not make (a
-- target year, a principle, a measurement level). One row per field of a record; the
-- record type and field code are those of the record's field declaration (`PlanField`,
-- `IndicatorField`, ...). A user's new value for that field ends it (store/write_path.rs),
-- and the trail keeps the reason it had.
CREATE TABLE assumptions (
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (record_type, record_id, field)
);

-- A stage step or a matrix cell that is itself a reasoned choice carries its reason.
ALTER TABLE stage_history ADD COLUMN assumption TEXT;
ALTER TABLE rollouts ADD COLUMN assumption TEXT;
ALTER TABLE rollout_history ADD COLUMN assumption TEXT;

-- Dates of facts (sources.date, rollouts.date, rollout_history.date, stage_history.date,
-- milestones.period) hold a date with its precision in the written form of
-- domain::FactDate: 2025-10-09, 2025-10, 2025-Q4, 2025, najaar 2025, gedurende 2025,
-- 2025-Q2/2025-Q3 or onbekend. Every date stored before is a day and stays valid.
