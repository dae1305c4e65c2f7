//! API tests: every test runs against SQLite and against PostgreSQL.

mod fixtures;
mod helpers;

mod appointments;
mod auth;
mod availability;
mod cancellation;
mod customers;
mod demo;
mod desk_lists;
mod fees;
mod fuzzing;
mod idempotency;
mod late_overrides;
mod lifecycle;
mod locations;
mod model;
mod money_display;
mod openapi;
mod outages;
mod policies;
mod races;
mod receiver;
mod relations;
mod relations_migration;
mod reminders;
mod request_bodies;
mod request_log;
mod reschedule;
mod resources;
mod schema_rules;
mod services;
mod suggestions;
mod vehicles;
