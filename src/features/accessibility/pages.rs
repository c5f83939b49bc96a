//! The page `/toegankelijkheid`.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/toegankelijkheid", show)
}

/// The page types the browser check walks, in the file it reads.
const CHECKED_PAGES: &str = include_str!("checked_pages.json");

#[derive(Debug, Deserialize)]
pub struct CheckedPage {
    pub path: String,
    pub name: String,
    #[serde(default)]
    pub status: Option<u16>,
}

/// The checked pages; the file is part of the build, and a unit test reads it.
pub fn checked_pages() -> Vec<CheckedPage> {
    serde_json::from_str(CHECKED_PAGES).unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "accessibility.html")]
pub struct StatementPage {
    pub nav: &'static str,
    pub pages: Vec<CheckedPage>,
    pub version: &'static str,
}

async fn show() -> StatementPage {
    StatementPage {
        nav: "",
        pages: checked_pages(),
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_of_checked_pages_reads_and_names_every_page() {
        let pages = super::checked_pages();
        assert!(pages.len() >= 20, "{}", pages.len());
        assert!(
            pages
                .iter()
                .all(|p| p.path.starts_with('/') && !p.name.is_empty())
        );
        assert!(pages.iter().any(|p| p.path == "/toegankelijkheid"));
    }
}
