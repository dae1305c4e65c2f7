//! API tests: every test runs against SQLite and against PostgreSQL.

mod helpers;

mod auth;
mod customers;
mod demo;
mod idempotency;
mod locations;
mod openapi;
mod resources;
mod services;
