//! Stylesheets, scripts and their licences, embedded at build time from `assets/`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::WebError;
use super::routes::Routes;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.md"]
struct Assets;

pub fn routes() -> Routes {
    Routes::new().get("/assets/{*path}", serve)
}

/// An embedded text asset (a style sheet), for a file that carries its styles inside.
pub fn text(path: &str) -> Option<String> {
    Assets::get(path).map(|f| String::from_utf8_lossy(&f.data).into_owned())
}

async fn serve(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, mime.to_string()),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => {
            WebError::NotFound(format!("Het bestand /assets/{path} bestaat niet.")).into_response()
        }
    }
}
