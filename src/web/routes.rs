//! A router that remembers its routes, so tests can walk every write route (the authorisation
//! matrix) and a new route cannot be left out of them.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use super::AppState;

/// Routes under construction, with the list of (method, path) they answer.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(Method, String)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    fn add(mut self, method: Method, path: &str, route: MethodRouter<AppState>) -> Self {
        self.list.push((method, path.to_owned()));
        self.router = self.router.route(path, route);
        self
    }

    pub fn get<H, T>(self, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, get(handler))
    }

    pub fn post<H, T>(self, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, post(handler))
    }

    /// A POST that takes a file: the framework's body limit (2 MB on every other route) is
    /// lifted for this route only, because its handler streams the body to disk and enforces
    /// the configured upload limit itself (`web::uploads::Uploads::receive`).
    pub fn post_upload<H, T>(self, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(
            Method::POST,
            path,
            post(handler).layer(DefaultBodyLimit::disable()),
        )
    }

    pub fn put<H, T>(self, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, put(handler))
    }

    pub fn delete<H, T>(self, path: &str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, delete(handler))
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }

    /// Puts every route of `other` under a prefix such as `/api`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.list.extend(
            other
                .list
                .into_iter()
                .map(|(m, p)| (m, format!("{prefix}{p}"))),
        );
        self.router = self.router.nest(prefix, other.router);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<(Method, String)>) {
        (self.router, self.list)
    }
}
