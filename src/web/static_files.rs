//! The stylesheet and scripts, compiled into the binary so it runs from any directory.

use actix_web::{HttpResponse, web};

use crate::error::AppError;

const FAVICON: &[u8] = include_bytes!("../../static/favicon.svg");

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../static/app.js")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../static/htmx.min.js")),
    ("favicon.svg", "image/svg+xml", FAVICON),
];

async fn serve(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) =
        FILES.iter().find(|(n, _, _)| *n == name.as_str()).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().content_type(*content_type).body(*body))
}

/// `/favicon.ico`, which browsers ask for on any page without a `<link rel="icon">` (a JSON
/// answer, an image): the same icon, instead of a 404 in every log.
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}

pub fn scope() -> actix_web::Scope {
    web::scope(super::urls::STATIC).route("/{name}", web::get().to(serve))
}
