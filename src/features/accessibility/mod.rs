//! The toegankelijkheidsverklaring (accessibility statement) in the form the Dutch government
//! prescribes (Besluit digitale toegankelijkheid overheid; the model of digitoegankelijk.nl):
//! the status, what was checked and how, the known deviations, and how to report a problem.
//! What it says was checked is the list of pages the browser check walks
//! (`checked_pages.json`, read by `tests/browser/a11y.mjs`), so the two cannot drift apart.

pub mod pages;
