-- Search over plans, organisations, gemeenten and KPI's (features/search).
--
-- One row per record that can be found, with its texts folded once by the application
-- (features::search::fold: lower case, accents dropped, white space collapsed), because
-- SQLite's lower() folds ASCII only and PostgreSQL's depends on its collation. A search folds
-- the user's words the same way and matches each with LIKE on `folded`.
--
-- The rows follow every write: the write path refreshes the records a write touched before it
-- commits, and an import of a whole portfolio rebuilds them all. A store that has records but
-- no rows for them (one made before this migration) gets them at start
-- (Store::fill_search_index). Emptying this table makes the next start fill it anew, the
-- way to take a changed fold into use.
CREATE TABLE search_entries (
    -- plan, organisation, gemeente or indicator
    kind          TEXT NOT NULL CHECK (kind IN ('plan', 'organisation', 'gemeente', 'indicator')),
    record_id     TEXT NOT NULL,
    -- The name and the code as people see them (a plan's slug, GM0355, an organisation's id).
    title         TEXT NOT NULL,
    code          TEXT NOT NULL,
    -- A short line shown with a hit: a plan's stage, an organisation's kind. May be NULL.
    detail        TEXT,
    -- The texts beyond name and code, as a JSON list of [label, text] pairs (a plan's four
    -- questions, a KPI's description), for the snippet of where a word was found.
    texts         TEXT,
    -- fold(title) and fold(code): a hit there ranks first.
    folded_title  TEXT NOT NULL,
    folded_code   TEXT NOT NULL,
    -- fold of title, code and texts together: what a search matches.
    folded        TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);
