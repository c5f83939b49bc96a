-- Gives matrix cells back the date and source that a save of only their note or wijk took
-- away. The cell form used to open with today's date and no source, so such a save stored
-- the day of the save as the date of the cell's status, dropped its source and, with the
-- date, ended its aanname. Such a save left a trace, and this repair follows exactly that:
--
--   * the trail's latest change of the cell's date (record_type 'rollout', field 'date')
--     was written on the day that is now the cell's date: the form's "today" (the trail's
--     moments are UTC);
--   * the cell's history (one line per save, written with the cell) has an earlier line of
--     the cell's current status with another date, and no line of another status after it:
--     the status did not change, only its date did.
--
-- From the latest such line the cell gets its date back, and its source and aanname where it
-- has none now; so do the history lines written since, which carry the same lost facts. The
-- cell's version goes up, so a form opened before the repair cannot save the lost state
-- again. The trail records every restored field with its old and new value as the pages show
-- them, written by 'systeem' through the command line (where the migrations run). A cell whose
-- date a user set to another day than the day of saving, or whose status changed, is left
-- alone.

CREATE TABLE rollout_repair AS
SELECT r.plan_id, r.gemeente_id,
       r.source_id AS source_now, r.assumption AS assumption_now,
       g.id AS good_id, g.date AS good_date, g.source_id AS good_source,
       g.assumption AS good_assumption,
       a.old_value AS date_label_before, a.new_value AS date_label_now
  FROM rollouts r
  JOIN rollout_history g
    ON g.plan_id = r.plan_id AND g.gemeente_id = r.gemeente_id
  JOIN audit_log a
    ON a.record_type = 'rollout' AND a.record_id = r.plan_id || '/' || r.gemeente_id
   AND a.field = 'date'
 WHERE g.id = (SELECT MAX(h.id) FROM rollout_history h
                WHERE h.plan_id = r.plan_id AND h.gemeente_id = r.gemeente_id
                  AND h.status = r.status AND h.date <> r.date)
   AND NOT EXISTS (SELECT 1 FROM rollout_history x
                    WHERE x.plan_id = r.plan_id AND x.gemeente_id = r.gemeente_id
                      AND x.id > g.id AND x.status <> r.status)
   AND a.id = (SELECT MAX(b.id) FROM audit_log b
                WHERE b.record_type = 'rollout' AND b.record_id = a.record_id
                  AND b.field = 'date')
   AND substr(a.at, 1, 10) = r.date;

-- The trail: one entry per restored field. The moment is now, in the trail's form
-- (YYYY-MM-DDTHH:MM:SSZ; both backends give CURRENT_TIMESTAMP as UTC text starting
-- "YYYY-MM-DD HH:MM:SS").
INSERT INTO audit_log (at, actor, channel, record_type, record_id, record_label, plan_id,
    area_id, field, old_value, new_value, comment, source)
SELECT substr(CAST(CURRENT_TIMESTAMP AS TEXT), 1, 10) || 'T'
           || substr(CAST(CURRENT_TIMESTAMP AS TEXT), 12, 8) || 'Z',
       'systeem', 'cli', 'rollout', x.plan_id || '/' || x.gemeente_id,
       p.name || ' in ' || ga.name, x.plan_id, x.gemeente_id,
       f.field,
       CASE f.field WHEN 'date' THEN x.date_label_now
                    WHEN 'status' THEN 'geen aanname meer: de waarde is gewijzigd' END,
       CASE f.field WHEN 'date' THEN x.date_label_before
                    WHEN 'source' THEN s.title
                    WHEN 'status' THEN 'aanname: ' || x.good_assumption END,
       'Hersteld: een wijziging van alleen de toelichting of wijk had de datum van deze status vervangen door de dag van opslaan en de bron weggelaten; datum en bron komen terug uit de geschiedenis van de uitrol.',
       s.title
  FROM rollout_repair x
  JOIN plans p ON p.id = x.plan_id
  JOIN areas ga ON ga.id = x.gemeente_id
  JOIN (SELECT 'date' AS field, 1 AS position
        UNION ALL SELECT 'source', 2
        UNION ALL SELECT 'status', 3) f
    ON f.field = 'date'
    OR (f.field = 'source' AND x.source_now IS NULL AND x.good_source IS NOT NULL)
    OR (f.field = 'status' AND x.assumption_now IS NULL AND x.good_assumption IS NOT NULL)
  LEFT JOIN sources s ON s.id = COALESCE(x.source_now, x.good_source)
 ORDER BY x.plan_id, x.gemeente_id, f.position;

UPDATE rollout_history
   SET date = (SELECT x.good_date FROM rollout_repair x
                WHERE x.plan_id = rollout_history.plan_id
                  AND x.gemeente_id = rollout_history.gemeente_id),
       source_id = COALESCE(source_id,
           (SELECT x.good_source FROM rollout_repair x
             WHERE x.plan_id = rollout_history.plan_id
               AND x.gemeente_id = rollout_history.gemeente_id)),
       assumption = COALESCE(assumption,
           (SELECT x.good_assumption FROM rollout_repair x
             WHERE x.plan_id = rollout_history.plan_id
               AND x.gemeente_id = rollout_history.gemeente_id))
 WHERE EXISTS (SELECT 1 FROM rollout_repair x
                WHERE x.plan_id = rollout_history.plan_id
                  AND x.gemeente_id = rollout_history.gemeente_id
                  AND rollout_history.id > x.good_id);

UPDATE rollouts
   SET date = (SELECT x.good_date FROM rollout_repair x
                WHERE x.plan_id = rollouts.plan_id AND x.gemeente_id = rollouts.gemeente_id),
       source_id = COALESCE(source_id,
           (SELECT x.good_source FROM rollout_repair x
             WHERE x.plan_id = rollouts.plan_id AND x.gemeente_id = rollouts.gemeente_id)),
       assumption = COALESCE(assumption,
           (SELECT x.good_assumption FROM rollout_repair x
             WHERE x.plan_id = rollouts.plan_id AND x.gemeente_id = rollouts.gemeente_id)),
       version = version + 1
 WHERE EXISTS (SELECT 1 FROM rollout_repair x
                WHERE x.plan_id = rollouts.plan_id AND x.gemeente_id = rollouts.gemeente_id);

-- Kept public pages show the repaired cells.
UPDATE data_version SET value = value + 1
 WHERE id = 1 AND EXISTS (SELECT 1 FROM rollout_repair);

DROP TABLE rollout_repair;
