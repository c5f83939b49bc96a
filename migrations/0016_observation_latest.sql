-- The latest period of every series (a KPI in an area), kept in the same transaction as every
-- write of an observation (features/observations/repo.rs). The KPI list, the start page's
-- "what needs action" and a KPI's map read the latest value of many series at once: with this
-- table each is one seek in the observations' series index, instead of a pass over every
-- observation (10 million on the national data set). Observations are never deleted.
CREATE TABLE observation_latest (
    indicator_id  TEXT NOT NULL REFERENCES indicators (id),
    area_id       TEXT NOT NULL REFERENCES areas (id),
    period_start  TEXT NOT NULL,
    PRIMARY KEY (indicator_id, area_id)
);
CREATE INDEX observation_latest_area ON observation_latest (area_id);

INSERT INTO observation_latest (indicator_id, area_id, period_start)
SELECT indicator_id, area_id, MAX(period_start) FROM observations
 WHERE indicator_id IS NOT NULL
 GROUP BY indicator_id, area_id;
