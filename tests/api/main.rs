//! API tests: every test runs against SQLite and against PostgreSQL.

mod fixtures;
mod helpers;

mod appointments;
mod auth;
mod availability;
mod cancellation;
mod customers;
mod demo;
mod fees;
mod fuzzing;
mod idempotency;
mod lifecycle;
mod locations;
mod openapi;
mod policies;
mod relations;
mod relations_migration;
mod reschedule;
mod resources;
mod services;
mod suggestions;
