//! HTTP handlers: parse the request, run one service function in one transaction, map
//! the result. Routes and their OpenAPI entries are registered together here.

pub mod api_keys;
pub mod appointments;
pub mod availability;
pub mod customers;
pub mod deliveries;
pub mod delivery_adapters;
pub mod fees;
pub mod health;
pub mod inbound;
pub mod inbound_whatsapp;
pub mod notification_rules;
pub mod notifications;
pub mod organization;
pub mod pages;
pub mod policies;
pub mod reply_rules;
pub mod self_service;
pub mod setup;
pub mod vehicles;
pub mod webhook_endpoints;

use actix_web::middleware::from_fn;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every route of the API, with its OpenAPI entry.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        // Signed by the gateway, not authenticated by an API key: before the /v1 scope.
        .service(
            scope::scope("/v1/inbound")
                .service(inbound::receive_reply)
                .service(inbound_whatsapp::verify_whatsapp_webhook)
                .service(inbound_whatsapp::receive_whatsapp_webhook),
        )
        // The link's token is the credential, not an API key: before the /v1 scope.
        .service(
            scope::scope("/v1/self")
                .wrap(from_fn(crate::http::rate_limit::limit_links))
                .service(self_service::get_self)
                .service(self_service::confirm_self)
                .service(self_service::get_self_alternatives)
                .service(self_service::quote_self_reschedule)
                .service(self_service::reschedule_self)
                .service(self_service::quote_self_cancel)
                .service(self_service::cancel_self),
        )
        .service(
            scope::scope("/v1")
                // Registered last, runs first: authentication before idempotency.
                .wrap(from_fn(crate::http::idempotency::idempotency))
                .wrap(from_fn(crate::http::auth::authenticate))
                .service(organization::get_organization)
                .service(organization::update_organization)
                .service(api_keys::create_api_key)
                .service(api_keys::list_api_keys)
                .service(api_keys::revoke_api_key)
                .service(setup::locations::create_location)
                .service(setup::locations::list_locations)
                .service(setup::locations::get_location)
                .service(setup::locations::update_location)
                .service(setup::locations::delete_location)
                .service(setup::resources::create_resource)
                .service(setup::resources::list_resources)
                .service(setup::resources::get_resource)
                .service(setup::resources::update_resource)
                .service(setup::resources::delete_resource)
                .service(setup::services::create_service)
                .service(setup::services::list_services)
                .service(setup::services::get_service)
                .service(setup::services::update_service)
                .service(setup::services::delete_service)
                .service(setup::closures::create_closure)
                .service(setup::closures::list_closures)
                .service(setup::closures::delete_closure)
                .service(customers::create_customer)
                .service(customers::list_customers)
                .service(customers::get_customer)
                .service(customers::update_customer)
                .service(customers::delete_customer)
                .service(customers::appointments::list_customer_appointments)
                .service(vehicles::create_vehicle)
                .service(vehicles::list_customer_vehicles)
                .service(vehicles::find_vehicles)
                .service(vehicles::get_vehicle)
                .service(vehicles::update_vehicle)
                .service(vehicles::delete_vehicle)
                .service(availability::suggestions::get_suggestions)
                .service(availability::get_availability)
                .service(appointments::create_appointment)
                .service(appointments::list_appointments)
                .service(appointments::get_appointment)
                .service(appointments::lifecycle::confirm_appointment)
                .service(appointments::lifecycle::check_in_appointment)
                .service(appointments::lifecycle::complete_appointment)
                .service(appointments::lifecycle::no_show_appointment)
                .service(appointments::cancel::quote_cancel)
                .service(appointments::cancel::cancel_appointment)
                .service(appointments::reschedule::quote_reschedule)
                .service(appointments::reschedule::reschedule_appointment)
                .service(appointments::history::list_appointment_events)
                .service(appointments::calls::record_call)
                .service(appointments::links::issue_link)
                .service(appointments::alternatives::get_alternatives)
                .service(appointments::move_availability::get_move_availability)
                .service(policies::create_policy)
                .service(policies::list_policies)
                .service(policies::get_policy)
                .service(policies::replace_policy)
                .service(policies::delete_policy)
                .service(policies::get_appointment_policy)
                .service(fees::list_fees)
                .service(fees::get_fee)
                .service(fees::waive_fee)
                .service(notifications::get_notification_settings)
                .service(notifications::put_notification_settings)
                .service(notifications::rotate_gateway_secret)
                .service(delivery_adapters::get_smtp_adapter)
                .service(delivery_adapters::put_smtp_adapter)
                .service(delivery_adapters::delete_smtp_adapter)
                .service(delivery_adapters::get_whatsapp_adapter)
                .service(delivery_adapters::put_whatsapp_adapter)
                .service(delivery_adapters::delete_whatsapp_adapter)
                .service(deliveries::list_deliveries)
                .service(deliveries::retry_delivery)
                .service(webhook_endpoints::create_webhook_endpoint)
                .service(webhook_endpoints::list_webhook_endpoints)
                .service(webhook_endpoints::get_webhook_endpoint)
                .service(webhook_endpoints::update_webhook_endpoint)
                .service(webhook_endpoints::delete_webhook_endpoint)
                .service(webhook_endpoints::rotate_webhook_endpoint_secret)
                .service(webhook_endpoints::test_webhook_endpoint)
                .service(fees::mark_fee_paid),
        );
}
