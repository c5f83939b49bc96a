-- One number that every write transaction raises before it commits, from any process. Pages
-- kept in memory for visitors (web/cache.rs) are valid for one value of it.
CREATE TABLE data_version (
    id     BIGINT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO data_version (id, value) VALUES (1, 0);
