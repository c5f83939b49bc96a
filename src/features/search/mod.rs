//! Search over plans, organisations, gemeenten and KPI's: by name, by code (a plan's slug,
//! GM0355, an organisation's or KPI's id) and in a plan's four questions and a KPI's
//! description, without regard to case or accents. `fold` is the one folding of texts and
//! words, `index` keeps `search_entries` (migration 0009) in step with every write.

pub mod fold;
pub mod index;
