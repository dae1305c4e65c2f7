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
use crate::http::{extract, request_log, state::AppState};
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
    let (app, openapi) = split_app(Some(state));
    let known = web::Data::new(KnownPaths::from_spec(&openapi));
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi))
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
        .wrap(from_fn(request_log::echo_request_id))
        .wrap(request_log::logger())
}
