-- "Wat is er veranderd" reads the saves of a period that people made (channel web, api or
-- cli), not what imports stored. A portfolio import writes an entry per record, so a period
-- with an import holds thousands of entries the page leaves out; this index holds only the
-- others, by moment, and the page's statement (`edits_between`) reads just those.
CREATE INDEX audit_log_edits ON audit_log (at) WHERE channel <> 'import';
