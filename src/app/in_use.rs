//! Refusing to delete what others still refer to: appointments keep their customer,
//! service, location and resources as history, and a service keeps the resources and
//! locations it names.

use serde_json::json;

use crate::db::DbConnection;
use crate::error::{Code, Error};
use crate::repo::service_links::Naming;
use crate::repo::{AppointmentRef, appointments_referring};

/// `409 <code>` while appointments refer to the `what` `id`.
pub fn refuse_if_appointments(
    conn: &mut DbConnection,
    column: AppointmentRef,
    id: &str,
    code: Code,
    what: &str,
) -> Result<(), Error> {
    let n = appointments_referring(conn, column, id)?;
    if n > 0 {
        return Err(Error::new(
            code,
            format!("{n} appointment(s) refer to this {what}; it cannot be deleted"),
        ));
    }
    Ok(())
}

/// `409 <code>`: the thing cannot go (or change so) while these services name it;
/// `data.services` lists them (`id`, `name`) so the caller knows what to change first.
pub fn named_by_services(code: Code, detail: String, naming: &[Naming]) -> Error {
    let services: Vec<_> = naming
        .iter()
        .map(|s| json!({ "id": s.id, "name": s.name }))
        .collect();
    Error::new(code, detail).with_data(json!({ "services": services }))
}

/// The names of `naming`, for a problem's `detail`.
pub fn names(naming: &[Naming]) -> String {
    naming
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
