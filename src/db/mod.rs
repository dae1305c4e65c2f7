//! Persistence: one diesel `MultiConnection` over PostgreSQL and SQLite, pooled with r2d2.

pub mod connection;
pub mod schema;
pub mod sql_types;
pub mod sqlite_time;
pub mod transaction;
pub mod tx;
pub mod url;
pub mod writer;

pub use connection::{Backend, DbConnection, DbPool, connect, migrate_one, open_pool};
pub use tx::Db;
