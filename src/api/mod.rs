//! HTTP handlers: parse the request, run one service function in one transaction, map
//! the result. Routes and their OpenAPI entries are registered together here.

pub mod api_keys;
pub mod appointment_actions;
pub mod appointment_events;
pub mod appointments;
pub mod auth;
pub mod availability;
pub mod cancellation;
pub mod closures;
pub mod customer_appointments;
pub mod customers;
pub mod extract;
pub mod fees;
pub mod health;
pub mod idempotency;
pub mod json_numbers;
pub mod json_shape;
pub mod locations;
pub mod method_not_allowed;
pub mod move_availability;
pub mod organization;
pub mod pagination;
pub mod patch;
pub mod policies;
pub mod precondition;
pub mod problem;
pub mod quotes;
pub mod request_log;
pub mod reschedule;
pub mod resources;
pub mod responses;
pub mod schema_rules;
pub mod services;
pub mod shared_params;
pub mod state;
pub mod suggestions;
pub mod time;

use actix_web::middleware::from_fn;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every route of the API, with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/v1")
                // Registered last, runs first: authentication before idempotency.
                .wrap(from_fn(idempotency::idempotency))
                .wrap(from_fn(auth::authenticate))
                .service(organization::get_organization)
                .service(organization::update_organization)
                .service(api_keys::create_api_key)
                .service(api_keys::list_api_keys)
                .service(api_keys::revoke_api_key)
                .service(locations::create_location)
                .service(locations::list_locations)
                .service(locations::get_location)
                .service(locations::update_location)
                .service(locations::delete_location)
                .service(resources::create_resource)
                .service(resources::list_resources)
                .service(resources::get_resource)
                .service(resources::update_resource)
                .service(resources::delete_resource)
                .service(services::create_service)
                .service(services::list_services)
                .service(services::get_service)
                .service(services::update_service)
                .service(services::delete_service)
                .service(closures::create_closure)
                .service(closures::list_closures)
                .service(closures::delete_closure)
                .service(customers::create_customer)
                .service(customers::list_customers)
                .service(customers::get_customer)
                .service(customers::update_customer)
                .service(customers::delete_customer)
                .service(customer_appointments::list_customer_appointments)
                .service(suggestions::get_suggestions)
                .service(availability::get_availability)
                .service(appointments::create_appointment)
                .service(appointments::list_appointments)
                .service(appointments::get_appointment)
                .service(appointment_actions::confirm_appointment)
                .service(appointment_actions::check_in_appointment)
                .service(appointment_actions::complete_appointment)
                .service(appointment_actions::no_show_appointment)
                .service(cancellation::quote_cancel)
                .service(cancellation::cancel_appointment)
                .service(reschedule::quote_reschedule)
                .service(reschedule::reschedule_appointment)
                .service(appointment_events::list_appointment_events)
                .service(suggestions::get_alternatives)
                .service(move_availability::get_move_availability)
                .service(policies::create_policy)
                .service(policies::list_policies)
                .service(policies::get_policy)
                .service(policies::replace_policy)
                .service(policies::delete_policy)
                .service(policies::get_appointment_policy)
                .service(fees::list_fees)
                .service(fees::get_fee)
                .service(fees::waive_fee)
                .service(fees::mark_fee_paid),
        );
}
