-- A second number in data_version (id 2): raised by every write that may change what the
-- KPIs' latest values say (an observation, a KPI and its targets, an area's name), and by
-- every write of which that is not known (store/write_path.rs). The start page's list of KPIs
-- that missed their target is kept under it, so a save of a plan or a rollout does not make
-- that list anew from every series' latest value.
INSERT INTO data_version (id, value) VALUES (2, 0);
