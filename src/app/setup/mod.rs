//! The setup objects a location is bookable with: locations and their opening hours,
//! resources (bays, advisors), services and closures.

pub mod closures;
pub mod locations;
pub mod resources;
pub mod services;
