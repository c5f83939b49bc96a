//! Paging of every list page and list API: `?pagina=2&per_pagina=100`. The default page holds
//! a whole regional portfolio ([`DEFAULT_SIZE`]); no page holds more than [`MAX_SIZE`], so no
//! request, whatever it asks, makes the server read or send a national list at once. The full
//! filtered set is for downloads, which stream it (`web::download`).

use serde::Serialize;

use super::error::WebError;

/// Lines on a page when the address does not say.
pub const DEFAULT_SIZE: usize = 200;
/// The most lines a page may hold.
pub const MAX_SIZE: usize = 1000;
/// The query keys of paging.
pub const KEYS: [&str; 2] = ["pagina", "per_pagina"];

/// Which page of a list is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// From 1.
    pub number: usize,
    pub size: usize,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            number: 1,
            size: DEFAULT_SIZE,
        }
    }
}

impl Paging {
    /// Takes the paging keys out of a query; the rest is returned for the page's own keys.
    pub fn split(pairs: &[(String, String)]) -> Result<(Self, Vec<(String, String)>), WebError> {
        Self::split_sized(pairs, DEFAULT_SIZE)
    }

    /// As [`Paging::split`], for a list whose page holds `default_size` lines when the address
    /// does not say (a KPI's areas: a page and a chart of them).
    pub fn split_sized(
        pairs: &[(String, String)],
        default_size: usize,
    ) -> Result<(Self, Vec<(String, String)>), WebError> {
        let mut paging = Self {
            number: 1,
            size: default_size,
        };
        let mut rest = Vec::new();
        for (key, value) in pairs {
            match key.as_str() {
                "pagina" => paging.number = number(key, value, usize::MAX)?,
                "per_pagina" => paging.size = number(key, value, MAX_SIZE)?,
                _ => rest.push((key.clone(), value.clone())),
            }
        }
        Ok((paging, rest))
    }

    /// Lines skipped before this page.
    pub fn offset(self) -> usize {
        (self.number - 1).saturating_mul(self.size)
    }

    pub fn limit_offset(self) -> (i64, i64) {
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        (as_i64(self.size), as_i64(self.offset()))
    }

    /// The items of this page, borrowed from all of them.
    pub fn window<T>(self, items: &[T]) -> &[T] {
        let start = self.offset().min(items.len());
        let end = start.saturating_add(self.size).min(items.len());
        &items[start..end]
    }

    /// This page of a list that is already in memory (short lists: organisations, sources).
    pub fn slice<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .skip(self.offset())
            .take(self.size)
            .collect()
    }
}

fn number(key: &str, value: &str, max: usize) -> Result<usize, WebError> {
    match value.trim().parse::<usize>() {
        Ok(n) if n >= 1 && n <= max => Ok(n),
        _ => Err(WebError::BadRequest(if key == "per_pagina" {
            format!(
                "\"{key}={value}\" kan niet: kies een aantal regels per pagina van 1 tot en met {MAX_SIZE}."
            )
        } else {
            format!("\"{key}={value}\" kan niet: kies een paginanummer vanaf 1.")
        })),
    }
}

/// The navigation under a paged list: where this page is in the list, and links to the pages
/// before and after that keep the list's other keys.
#[derive(Debug, Clone, Serialize)]
pub struct PageNav {
    pub number: usize,
    pub pages: usize,
    pub total: usize,
    /// The first and last line on this page, from 1 (0 and 0 for an empty list).
    pub first: usize,
    pub last: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl PageNav {
    /// For `path` with its other query `pairs` (the filter), this page of `total` lines.
    pub fn new(path: &str, pairs: &[(String, String)], paging: Paging, total: usize) -> Self {
        Self::sized(path, pairs, paging, total, DEFAULT_SIZE)
    }

    /// As [`PageNav::new`] for a list whose page holds `default_size` lines unless the address
    /// says otherwise ([`Paging::split_sized`]): the links name the size only when it differs.
    pub fn sized(
        path: &str,
        pairs: &[(String, String)],
        paging: Paging,
        total: usize,
        default_size: usize,
    ) -> Self {
        let pages = total.div_ceil(paging.size).max(1);
        let first = if total == 0 {
            0
        } else {
            (paging.offset() + 1).min(total)
        };
        let last = (paging.offset() + paging.size).min(total);
        let link = |number: usize| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.extend_pairs(pairs);
            if number > 1 {
                query.append_pair("pagina", &number.to_string());
            }
            if paging.size != default_size {
                query.append_pair("per_pagina", &paging.size.to_string());
            }
            let query = query.finish();
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        Self {
            number: paging.number,
            pages,
            total,
            first,
            last,
            previous: (paging.number > 1).then(|| link((paging.number - 1).min(pages))),
            next: (paging.number < pages).then(|| link(paging.number + 1)),
        }
    }

    /// More than one page: the page shows the navigation.
    pub fn is_paged(&self) -> bool {
        self.pages > 1 || self.number > 1
    }

    /// Puts [`PageNav::headers`] on an answer.
    pub fn set_headers(&self, response: &mut axum::response::Response) {
        for (name, value) in self.headers() {
            if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
    }

    /// `Link` and `X-Total-Count` headers for an API list.
    pub fn headers(&self) -> Vec<(axum::http::HeaderName, String)> {
        let mut links = Vec::new();
        if let Some(p) = &self.previous {
            links.push(format!("<{p}>; rel=\"prev\""));
        }
        if let Some(n) = &self.next {
            links.push(format!("<{n}>; rel=\"next\""));
        }
        let mut headers = vec![(
            axum::http::HeaderName::from_static("x-total-count"),
            self.total.to_string(),
        )];
        if !links.is_empty() {
            headers.push((axum::http::header::LINK, links.join(", ")));
        }
        headers
    }
}

/// One page of a short list read whole (organisations, sources, areas, ...) as an API answer,
/// with `Link` and `X-Total-Count`. `pairs` is the query; keys other than paging's are kept in
/// the links.
pub fn json_page<T: Serialize>(
    path: &str,
    pairs: &[(String, String)],
    items: Vec<T>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let (paging, rest) = Paging::split(pairs)?;
    let nav = PageNav::new(path, &rest, paging, items.len());
    let mut response = axum::Json(paging.slice(items)).into_response();
    nav.set_headers(&mut response);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn paging_is_taken_from_the_query_and_the_rest_is_left() {
        let (p, rest) = Paging::split(&pairs(&[
            ("fase", "loopt"),
            ("pagina", "3"),
            ("per_pagina", "50"),
        ]))
        .expect("ok");
        assert_eq!(
            p,
            Paging {
                number: 3,
                size: 50
            }
        );
        assert_eq!(p.offset(), 100);
        assert_eq!(rest, pairs(&[("fase", "loopt")]));
        assert!(Paging::split(&pairs(&[("per_pagina", "1001")])).is_err());
        assert!(Paging::split(&pairs(&[("pagina", "0")])).is_err());
        assert!(Paging::split(&pairs(&[("pagina", "twee")])).is_err());
    }

    #[test]
    fn the_navigation_says_where_the_page_is_and_keeps_the_filter() {
        let filter = pairs(&[("fase", "loopt")]);
        let nav = PageNav::new(
            "/plannen",
            &filter,
            Paging {
                number: 2,
                size: 100,
            },
            250,
        );
        assert_eq!((nav.first, nav.last, nav.pages), (101, 200, 3));
        assert_eq!(
            nav.previous.as_deref(),
            Some("/plannen?fase=loopt&per_pagina=100")
        );
        assert_eq!(
            nav.next.as_deref(),
            Some("/plannen?fase=loopt&pagina=3&per_pagina=100")
        );
        let one = PageNav::new("/plannen", &[], Paging::default(), 61);
        assert!(!one.is_paged());
        assert_eq!((one.first, one.last), (1, 61));
        let empty = PageNav::new("/plannen", &[], Paging::default(), 0);
        assert_eq!((empty.first, empty.last, empty.pages), (0, 0, 1));
    }

    #[test]
    fn a_list_with_its_own_page_size_names_it_only_when_asked_otherwise() {
        let (p, _) = Paging::split_sized(&pairs(&[("pagina", "2")]), 50).expect("ok");
        assert_eq!((p.number, p.size, p.offset()), (2, 50, 50));
        let nav = PageNav::sized("/indicatoren/k", &[], p, 120, 50);
        assert_eq!(nav.previous.as_deref(), Some("/indicatoren/k"));
        assert_eq!(nav.next.as_deref(), Some("/indicatoren/k?pagina=3"));
        let (p, _) = Paging::split_sized(&pairs(&[("per_pagina", "10")]), 50).expect("ok");
        let nav = PageNav::sized("/indicatoren/k", &[], p, 120, 50);
        assert_eq!(
            nav.next.as_deref(),
            Some("/indicatoren/k?pagina=2&per_pagina=10")
        );
    }
}
