//! `/zoeken`: the search form's answer, grouped by kind, or one kind a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::index::Kind;
use super::repo::{Hit, NotAQuestion, Question, Snippet};
use crate::store::Store;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/zoeken", search)
}

/// Hits shown per kind on the grouped page; the rest are a link away.
const PER_GROUP: usize = 10;

/// A hit as the page shows it.
pub struct HitView {
    pub href: String,
    pub title: String,
    pub code: String,
    pub detail: Option<String>,
    pub snippet: Option<Snippet>,
}

impl From<Hit> for HitView {
    fn from(h: Hit) -> Self {
        Self {
            href: h.kind.href(&h.id),
            title: h.title,
            code: h.code,
            detail: h.detail,
            snippet: h.snippet,
        }
    }
}

/// The hits of one kind.
pub struct Group {
    pub heading: &'static str,
    pub count: usize,
    /// "12 plannen", "1 KPI".
    pub plural: String,
    pub hits: Vec<HitView>,
    /// The page with every hit of this kind, when not all are shown.
    pub all: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub struct ResultsPage {
    pub nav: &'static str,
    /// The question as asked, for the form.
    pub q: String,
    /// Why nothing was searched (empty, too long).
    pub message: Option<String>,
    /// Whether a search ran.
    pub searched: bool,
    pub total: usize,
    /// "3 plannen, 1 organisatie, ..."
    pub summary: String,
    pub groups: Vec<Group>,
    /// One kind a page at a time: its heading, and the way back to all kinds.
    pub only: Option<&'static str>,
    pub back: String,
    pub pages: Option<PageNav>,
}

impl ResultsPage {
    fn empty(q: &str) -> Self {
        Self {
            nav: "zoeken",
            q: q.to_owned(),
            message: None,
            searched: false,
            total: 0,
            summary: String::new(),
            groups: Vec::new(),
            only: None,
            back: String::new(),
            pages: None,
        }
    }
}

/// `/zoeken?q=...` with the other keys given.
pub(crate) fn search_href(q: &str, kind: Option<Kind>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", q);
    if let Some(k) = kind {
        query.append_pair("soort", k.param());
    }
    format!("/zoeken?{}", query.finish())
}

/// "1 plan", "3 plannen".
fn count_words(kind: Kind, n: usize) -> String {
    let word = match (kind, n == 1) {
        (Kind::Plan, true) => "plan",
        (Kind::Plan, false) => "plannen",
        (Kind::Organisation, true) => "organisatie",
        (Kind::Organisation, false) => "organisaties",
        (Kind::Gemeente, true) => "gemeente",
        (Kind::Gemeente, false) => "gemeenten",
        (Kind::Indicator, true) => "KPI",
        (Kind::Indicator, false) => "KPI's",
    };
    format!("{n} {word}")
}

/// The query's question, kind and paging; a kind that does not exist is a 400.
pub(crate) fn read_query(
    pairs: &[(String, String)],
) -> Result<(String, Option<Kind>, Paging), WebError> {
    let (paging, rest) = Paging::split(pairs)?;
    let mut q = String::new();
    let mut kind = None;
    for (key, value) in rest {
        match key.as_str() {
            "q" => q = value,
            "soort" if !value.is_empty() => {
                kind = Some(Kind::from_param(&value).ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "\"soort={value}\" kan niet: kies plannen, organisaties, gemeenten of kpis, of laat soort weg."
                    ))
                })?);
            }
            _ => {}
        }
    }
    Ok((q, kind, paging))
}

/// One page of the hits of `kinds`, in that order, `counts` as [`Store::search_counts`] gave
/// them: the page may span the end of one kind and the start of the next.
pub(crate) async fn page_of_hits(
    store: &Store,
    q: &Question,
    counts: &[(Kind, usize)],
    kinds: &[Kind],
    paging: Paging,
) -> Result<Vec<Hit>, WebError> {
    let mut skip = paging.offset();
    let mut left = paging.size;
    let mut hits = Vec::new();
    for kind in kinds {
        let count = counts
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0, |(_, n)| *n);
        if left == 0 {
            break;
        }
        if skip >= count {
            skip -= count;
            continue;
        }
        let take = left.min(count - skip);
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        hits.extend(
            store
                .search(q, *kind, count, as_i64(take), as_i64(skip))
                .await?,
        );
        left -= take;
        skip = 0;
    }
    Ok(hits)
}

async fn search(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (text, only, paging) = read_query(&pairs)?;
    let mut page = ResultsPage::empty(text.trim());
    let q = match Question::parse(&text) {
        Ok(q) => q,
        Err(NotAQuestion::Empty) => {
            page.message = Some(
                "Vul een of meer woorden in: een deel van een naam, of een code zoals GM0355."
                    .into(),
            );
            return Ok(page.into_response());
        }
        Err(NotAQuestion::TooLong(message)) => {
            page.message = Some(message);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let counts = state.store.search_counts(&q).await?;
    page.searched = true;
    page.total = counts.iter().map(|(_, n)| n).sum();
    page.summary = counts
        .iter()
        .map(|(k, n)| count_words(*k, *n))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(kind) = only {
        let count = counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n);
        let hits = page_of_hits(&state.store, &q, &counts, &[kind], paging).await?;
        let rest = vec![
            ("q".to_owned(), q.text.clone()),
            ("soort".to_owned(), kind.param().to_owned()),
        ];
        page.pages = Some(PageNav::new("/zoeken", &rest, paging, count));
        page.only = Some(kind.heading());
        page.back = search_href(&q.text, None);
        page.groups.push(Group {
            heading: kind.heading(),
            count,
            plural: count_words(kind, count),
            hits: hits.into_iter().map(HitView::from).collect(),
            all: None,
        });
    } else {
        for (kind, count) in counts.iter().copied().filter(|(_, n)| *n > 0) {
            let hits = state
                .store
                .search(&q, kind, count, PER_GROUP as i64, 0)
                .await?;
            page.groups.push(Group {
                heading: kind.heading(),
                count,
                plural: count_words(kind, count),
                hits: hits.into_iter().map(HitView::from).collect(),
                all: (count > PER_GROUP).then(|| search_href(&q.text, Some(kind))),
            });
        }
    }
    Ok(page.into_response())
}
