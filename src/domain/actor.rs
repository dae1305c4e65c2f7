//! Who makes a change: kept with every change in an appointment's history.

use super::Role;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A caller with an API key (front desk, integration, admin).
    ApiKey { id: String, role: Role },
    /// A customer through their self-service link.
    CustomerLink,
    /// Janji itself (housekeeping, scheduled work).
    System,
}
