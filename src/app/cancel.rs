//! Cancelling under the cancellation policy: quoted first, committed with the fee the
//! customer accepted, the fee recorded in the ledger.

use chrono::{DateTime, Utc};

use crate::app::lifecycle::{self, Reason, Record};
use crate::app::quotes::{self, CancelQuote};
use crate::app::reschedule::{Commit, Outcome, change_details, check_currency, fee_differs};
use crate::db::DbConnection;
use crate::domain::Actor;
use crate::domain::FeeKind;
use crate::domain::lifecycle::Action;
use crate::domain::policy::Ask;
use crate::error::Error;
use crate::repo::appointments::{self, AppointmentView};
use crate::repo::fees::{self, Assessed, FeeRow};
use crate::repo::{check_version, new_id};

pub struct Cancelled {
    pub view: AppointmentView,
    pub fee: Option<FeeRow>,
}

#[allow(clippy::too_many_arguments)]
pub fn cancel(
    conn: &mut DbConnection,
    org: &str,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    ask: &Ask,
    commit: Commit,
    now: DateTime<Utc>,
) -> Result<Outcome<Cancelled, CancelQuote>, Error> {
    let q = quotes::quote_cancel(conn, org, id, ask, now)?;
    check_version(expected_version, q.terms.row.version)?;
    let accepted = check_currency(commit.accepted_fee, &q.terms.currency)?;
    if !q.refusals.is_empty() {
        return Ok(Outcome::Refused(Box::new(q)));
    }
    if fee_differs(accepted.as_ref(), &q.decision, &q.terms.currency).is_some() {
        return Ok(Outcome::FeeChanged(Box::new(q)));
    }
    let CancelQuote {
        terms, decision, ..
    } = q;
    let fee_id = fees::initial_status(&decision).map(|_| new_id());
    let override_ = ask.override_.as_ref();
    let record = Record {
        reason: ask.reason.map(|category| Reason {
            category,
            text: commit.reason_text,
        }),
        note: commit.note,
        details: Some(change_details(
            &terms,
            &decision,
            fee_id.as_deref(),
            override_,
        )),
    };
    let (row, event) = lifecycle::apply(
        conn,
        org,
        actor,
        terms.row.clone(),
        Action::Cancel,
        record,
        now,
    )?;
    let assessed = Assessed {
        kind: FeeKind::Cancellation,
        terms: &terms,
        decision: &decision,
        note: override_.map(|o| o.note.as_str()),
        event_id: &event.id,
    };
    let fee = fees::assess(conn, actor, fee_id, assessed, now)?;
    let view = appointments::views(conn, vec![row])?.remove(0);
    Ok(Outcome::Done(Cancelled { view, fee }))
}
