//! Building the actix application and running the server.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::error::Error;
use crate::http::method_not_allowed::{self, KnownPaths};
use crate::http::{extract, language, request_log, state::AppState};
use crate::openapi::api_doc::{self, ApiDoc};

/// The application and its OpenAPI document, built from the same route table.
pub fn split_app(
    state: Option<AppState>,
) -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let mut app = App::new();
    if let Some(state) = state {
        app = app.app_data(web::Data::new(state));
    }
    let (app, mut doc) = app
        .app_data(web::PathConfig::default().error_handler(extract::path_error))
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api::routes)
        .split_for_parts();
    api_doc::complete(&mut doc);
    (app, doc)
}

/// What the applications of all workers share instead of each holding its own copy
/// (actix builds one application per worker, one worker per core): the OpenAPI document,
/// served already serialized, and the table of known paths built from it. A copy per
/// worker cost about 3 MB each at rest, so a server on many cores held most of its
/// memory in identical documents (docs/operations.md, "Memory").
#[derive(Clone)]
pub struct Shared {
    openapi_json: web::Bytes,
    known: web::Data<KnownPaths>,
}

impl Shared {
    /// Builds the document once.
    pub fn build() -> Result<Shared, String> {
        let (_, openapi) = split_app(None);
        let json = serde_json::to_vec(&openapi).map_err(|e| format!("OpenAPI document: {e}"))?;
        Ok(Shared {
            openapi_json: web::Bytes::from(json),
            known: web::Data::new(KnownPaths::from_spec(&openapi)),
        })
    }
}

/// The complete application: API, `/openapi.json`, docs UI at `/docs`, request logging;
/// a path it serves under other methods is 405 with `Allow`, any other path 404.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let shared = Shared::build().expect("the OpenAPI document serializes");
    app_sharing(state, shared)
}

/// [`app`] with the document built once for every worker.
pub fn app_sharing(
    state: AppState,
    shared: Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The routes' own copy of the document is dropped here; the shared one is served.
    let (app, _) = split_app(Some(state));
    let Shared {
        openapi_json,
        known,
    } = shared;
    app.configure(api::pages::routes)
        .service(
            SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")),
        )
        .route(
            "/openapi.json",
            web::get().to(move || {
                let body = openapi_json.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(body)
                }
            }),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(move |req: HttpRequest| {
            let allow = known.allow(req.path()).map(str::to_owned);
            async move {
                match allow {
                    Some(allow) => Ok(method_not_allowed::response(req.method().as_str(), &allow)),
                    None => Err::<HttpResponse, Error>(Error::not_found("route")),
                }
            }
        }))
        .wrap(from_fn(language::localize_problems))
        .wrap(from_fn(request_log::echo_request_id))
        .wrap(request_log::logger())
}
