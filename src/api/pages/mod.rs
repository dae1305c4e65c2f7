//! `/a/{token}`: the pages a customer's link opens, server-rendered HTML for a phone's
//! browser (docs/self-service.md, "The pages"). Each handler calls one use case of
//! `app::self_service`, the same the JSON API calls, so both share every rule. They are
//! not JSON API operations and stay out of the OpenAPI document.
//!
//! GET never changes anything (link scanners open links). A POST carries the version
//! the page showed and a form field only the server can write (`http::form_token`), is
//! refused when the browser says it came from another site, and answers `303` back to
//! the page with a fixed notice code (`?msg=`).

pub mod cancel;
pub mod cancel_markup;
pub mod markup;
pub mod move_markup;
pub mod reschedule;
pub mod words;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::Markup;
use serde::Deserialize;

use crate::app::lifecycle::StepOutcome;
use crate::app::self_service;
use crate::domain::Locale;
use crate::error::{Code, Error};
use crate::http::form_token;
use crate::http::page_headers::cross_site;
use crate::http::state::AppState;
use crate::link_token;
use markup::{AppointmentPage, lang_query};
use words::Notice;

/// The stylesheet, served from the binary.
const CSS: &str = include_str!("janji.css");

/// The routes under `/a`, outside the OpenAPI document. The stylesheet has no token, so
/// it is neither rate-limited per link nor kept from caches.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/a/static/janji.css", web::get().to(stylesheet))
        .service(
            web::scope("/a")
                .wrap(actix_web::middleware::from_fn(
                    crate::http::rate_limit::limit_links,
                ))
                .wrap(actix_web::middleware::from_fn(
                    crate::http::page_headers::page_headers,
                ))
                .route("/{token}", web::get().to(page))
                .route("/{token}/confirm", web::post().to(confirm))
                .route("/{token}/reschedule", web::get().to(reschedule::choose))
                .route(
                    "/{token}/reschedule",
                    web::post().to(reschedule::reschedule),
                )
                .route("/{token}/calendar.ics", web::get().to(calendar))
                .route("/{token}/cancel", web::get().to(cancel::ask))
                .route("/{token}/cancel", web::post().to(cancel::cancel))
                .route(
                    "/{token}/reschedule/confirm",
                    web::get().to(reschedule::pick),
                ),
        );
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(CSS)
}

/// The page's language and notice, from its query.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub msg: Option<String>,
}

/// `?lang=` when it names a language, else none (the customer's own then applies).
fn chosen(lang: Option<&str>) -> Option<Locale> {
    match lang? {
        "id" => Some(Locale::Id),
        "en" => Some(Locale::En),
        _ => None,
    }
}

fn html(status: StatusCode, m: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(m.into_string())
}

/// The answer to a use case's error: the dead-link page for any 404, else a page saying
/// something went wrong (a 5xx is logged as the API logs it).
fn failed(e: &Error, l: Locale) -> HttpResponse {
    if e.code == Code::NotFound {
        return html(StatusCode::NOT_FOUND, markup::dead(l));
    }
    let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(code = ?e.code, cause = ?e.cause, "a page failed");
    }
    html(status, markup::trouble(l))
}

/// The appointment behind the link: what it is, when and where, its status and policy,
/// and what the customer can do now.
async fn page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let base = state.customer_ctx();
    let t = token.clone();
    let view = match state
        .db
        .read(move |c| self_service::view(c, &base, &t))
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&e, asked.unwrap_or(Locale::Id)),
    };
    let l = asked.unwrap_or(view.context.locale);
    let token_hash = link_token::hash(&token);
    let confirm_field = view
        .can_confirm()
        .then(|| form_token::issue(&state.secret_key, &token_hash, view.version, "confirm"));
    let base = format!("/a/{token}");
    html(
        StatusCode::OK,
        markup::appointment(&AppointmentPage {
            view: &view,
            locale: l,
            notice: q.msg.as_deref().and_then(Notice::parse),
            confirm_field,
            base: &base,
        }),
    )
}

/// A page's form: the version it showed and its field.
#[derive(Debug, Deserialize)]
pub struct VersionForm {
    pub version: Option<String>,
    pub form_token: Option<String>,
}

/// Back to the page with a notice, in the page's language.
fn back(token: &str, l: Option<Locale>, notice: Notice) -> HttpResponse {
    let lang = l.map_or("?".to_owned(), |l| format!("{}&", lang_query(l)));
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/a/{token}{lang}msg={}", notice.code()),
        ))
        .finish()
}

/// A redirect to `path` in the page's language.
fn redirect(path: &str, l: Option<Locale>) -> HttpResponse {
    let lang = l.map_or("", lang_query);
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{path}{lang}")))
        .finish()
}

/// The answer to a form that is not the page's own: nothing changes.
fn refused_form_page(token: &str, l: Locale) -> HttpResponse {
    html(
        StatusCode::FORBIDDEN,
        markup::refused_form(l, &format!("/a/{token}{}", lang_query(l))),
    )
}

/// Whether a POST is the page's own form for `purpose`: not from another site, with the
/// field the page wrote for this link, version and purpose. Gives the version.
fn own_form_for(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    version: Option<&str>,
    field: Option<&str>,
    purpose: &str,
) -> Option<i64> {
    let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let host = req.connection_info().host().to_owned();
    if cross_site(h("sec-fetch-site"), h("origin"), &host) {
        return None;
    }
    let version: i64 = version?.parse().ok()?;
    form_token::holds(
        &state.secret_key,
        &link_token::hash(token),
        version,
        purpose,
        field?,
    )
    .then_some(version)
}

/// Confirm from the page: one tap.
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    form: Option<web::Form<VersionForm>>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let l = asked.unwrap_or(Locale::Id);
    let Some(version) = form.as_ref().and_then(|f| {
        own_form_for(
            &req,
            &state,
            &token,
            f.version.as_deref(),
            f.form_token.as_deref(),
            "confirm",
        )
    }) else {
        return refused_form_page(&token, l);
    };
    let base = state.customer_ctx();
    let t = token.clone();
    match state
        .db
        .write(move |c| self_service::confirm(c, &base, &t, version))
        .await
    {
        Ok(done) => match done.answer {
            StepOutcome::Done(_) => back(&token, asked, Notice::Confirmed),
            StepOutcome::Refused(_) => back(&token, asked, Notice::NotPossible),
        },
        Err(e) if e.code == Code::VersionMismatch => back(&token, asked, Notice::Changed),
        Err(e) => failed(&e, l),
    }
}

/// The appointment as a calendar file, with the UID its email invitations carry, so a
/// calendar that imported it updates the event after a move. Changes nothing.
async fn calendar(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let (base, t) = (state.customer_ctx(), token.clone());
    let view = match state
        .db
        .read(move |c| self_service::view(c, &base, &t))
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&e, Locale::Id),
    };
    let c = &view.context;
    let summary = format!("{}, {}", c.service_name, c.location_name);
    let place = match &c.location_address {
        Some(addr) => format!("{}, {addr}", c.location_name),
        None => c.location_name.clone(),
    };
    let uid = format!("{}@janji", view.appointment_id);
    let url = link_token::url(&state.public_url, &token);
    let ics = crate::domain::ics::write_download(&crate::domain::ics::CalendarEvent {
        uid: &uid,
        sequence: view.version,
        stamp: state.clock.now(),
        start: view.start,
        end: view.end,
        summary: &summary,
        location: Some(&place),
        description: None,
        url: Some(&url),
        organizer: "",
        attendee: "",
        cancelled: false,
    });
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"janji.ics\"",
        ))
        .body(ics)
}
