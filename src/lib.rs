//! Janji: an appointment booking API that handles rescheduling properly.
//!
//! Layers: `domain` (pure rules and parsed values), `store` (persistence use cases run
//! in one transaction), `api` (HTTP handlers), `startup` (the actix application).

pub mod api;
pub mod api_key;
pub mod app;
pub mod clock;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod demo_holidays;
pub mod domain;
pub mod error;
pub mod housekeeping;
pub mod http;
pub mod last_use;
pub mod link_token;
pub mod openapi;
pub mod repo;
pub mod secret_key;
pub mod server;
pub mod startup;
pub mod telemetry;
pub mod tenancy;
