//! One person, one customer: the groups of customers that share a phone number or an
//! external reference (kept from before creation matched them), and merging two of them.

use super::Ctx;
use super::customers::Customer;
use crate::db::DbConnection;
use crate::error::{Code, Error};
use crate::repo::customers::{self, CustomerRow, Moved};
use crate::repo::{locks, to_db};

/// Customers who share one phone number or external reference, the oldest first.
#[derive(Clone, Debug)]
pub struct DuplicateGroup {
    /// `phone` or `external_ref`.
    pub shared: &'static str,
    pub value: String,
    pub customers: Vec<Customer>,
}

/// Every group of the organization's customers that share a phone number, then every
/// group that shares an external reference.
pub fn duplicates(conn: &mut DbConnection, ctx: &Ctx) -> Result<Vec<DuplicateGroup>, Error> {
    let mut groups = group("phone", customers::sharing_a_phone(conn, &ctx.org)?, |r| {
        r.phone.clone()
    });
    groups.extend(group(
        "external_ref",
        customers::sharing_an_external_ref(conn, &ctx.org)?,
        |r| r.external_ref.clone(),
    ));
    Ok(groups)
}

/// Rows ordered by `key` into groups of equal keys.
fn group(
    shared: &'static str,
    rows: Vec<CustomerRow>,
    key: impl Fn(&CustomerRow) -> Option<String>,
) -> Vec<DuplicateGroup> {
    let mut groups: Vec<DuplicateGroup> = vec![];
    for row in rows {
        let value = key(&row).unwrap_or_default();
        match groups.last_mut() {
            Some(g) if g.value == value => g.customers.push(row.into()),
            _ => groups.push(DuplicateGroup {
                shared,
                value,
                customers: vec![row.into()],
            }),
        }
    }
    groups
}

/// Merge `from` into `into`.
#[derive(Clone, Debug)]
pub struct Merge {
    pub into: String,
    pub from: String,
}

/// What a merge did: the customer kept (with what it took over) and what moved.
#[derive(Clone, Debug)]
pub struct Merged {
    pub customer: Customer,
    pub moved: Moved,
}

/// Gives `from`'s appointments (with their history) and fees to `into`, fills the
/// contacts `into` lacks from `from`, and deletes `from`: one unit of work. The
/// organization is locked first, then both customers (the order every unit of work
/// takes), so no booking or move of either runs in between and the moves `into` is
/// counted afterwards include `from`'s.
pub fn merge(conn: &mut DbConnection, ctx: &Ctx, cmd: Merge) -> Result<Merged, Error> {
    if cmd.into == cmd.from {
        return Err(Error::invalid(
            "from",
            Code::InvalidValue,
            "a customer cannot be merged into itself",
        ));
    }
    locks::organization(conn, &ctx.org)?;
    locks::customer(conn, &ctx.org, &cmd.into)?;
    locks::customer_to_delete(conn, &ctx.org, &cmd.from)?;
    let mut kept = customers::get(conn, &ctx.org, &cmd.into)?;
    let gone = customers::get(conn, &ctx.org, &cmd.from)?;
    let moved = customers::reassign(conn, &gone.id, &kept.id)?;
    customers::delete(conn, &gone.id)?;
    let previous = kept.version;
    if kept.phone.is_none() {
        kept.phone = gone.phone;
    }
    if kept.email.is_none() {
        kept.email = gone.email;
    }
    if kept.external_ref.is_none() {
        kept.external_ref = gone.external_ref;
    }
    kept.version += 1;
    kept.updated_at = to_db(ctx.now);
    customers::save(conn, &kept, previous)?;
    Ok(Merged {
        customer: kept.into(),
        moved,
    })
}
