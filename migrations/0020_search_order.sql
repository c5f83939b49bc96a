-- The order of search hits (features/search/repo.rs): within a kind by folded name, then id.
-- A common word can be in thousands of records ("plan" is in the code of every plan); the
-- search then walks this index in that order and stops when a page is full, instead of
-- sorting every hit.
CREATE INDEX search_entries_order ON search_entries (kind, folded_title, record_id);
-- A code that is the whole question (GM0355, plan-00012) ranks first: found by this index.
CREATE INDEX search_entries_code ON search_entries (kind, folded_code);
-- Every search counts its hits per kind: on SQLite this index holds what the count reads, so
-- it reads the index alone instead of looking up every row. (PostgreSQL counts from the
-- table: a plan's texts can be longer than its B-tree index allows.)
-- sqlite: CREATE INDEX search_entries_folded ON search_entries (kind, folded);
