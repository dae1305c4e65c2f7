//! A customer's reply to a message, posted by the gateway: recorded once (a replayed id
//! is ignored), matched by phone number to the customer's next appointment still to come,
//! read by the organization's reply words (else Janji's) in the customer's locale first,
//! kept on its history, acted on where a word asks for something harmless (confirming),
//! and answered through the outbox in the organization's answer templates (else Janji's):
//! the confirmation, the best three other times with their fees, or what cancelling would
//! cost (a bare word never cancels).

use serde_json::json;

use super::Ctx;
use super::lifecycle::{self, Record};
use super::links;
use super::notices;
use super::notification_settings::{self, NotificationSettings};
use super::quotes::{self, QuoteCancel};
use super::suggestions::{self, FindAlternatives, MoveTimes};
use crate::db::DbConnection;
use crate::domain::lifecycle::Action;
use crate::domain::message_text::local_when;
use crate::domain::money_display;
use crate::domain::policy::Ask;
use crate::domain::replies::{self, Intent};
use crate::domain::reply_answers::{self, Answer};
use crate::domain::{AppointmentStatus, ContactChannel, Currency, EventKind, Locale};
use crate::error::Error;
use crate::link_token;
use crate::repo::events::{self, NewEvent};
use crate::repo::inbound::{self, InboundRow};
use crate::repo::{from_db, locks, outbox, to_db};

/// A reply as the gateway posts it.
#[derive(Clone, Debug)]
pub struct Inbound {
    /// The gateway's message id (`webhook-id`): the same on every retry of the post.
    pub id: String,
    /// The sender's phone number, E.164.
    pub from: String,
    pub text: String,
    pub channel: ContactChannel,
}

/// What became of a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    /// This id was received before; nothing was done again.
    Duplicate,
    /// No customer of the organization has this number: recorded, nothing acted on.
    UnknownSender,
    /// The customer has no appointment to come: recorded, nothing acted on.
    NoUpcomingAppointment,
    /// Kept on the appointment's history, acted on and answered.
    Answered {
        intent: Intent,
        appointment_id: String,
    },
}

pub fn receive(conn: &mut DbConnection, ctx: &Ctx, cmd: Inbound) -> Result<InboundOutcome, Error> {
    let org = ctx.org.as_str();
    let settings =
        notification_settings::of(conn, org)?.unwrap_or_else(NotificationSettings::defaults);
    // Read in the shipped locale first until the sender is known, again in theirs after.
    let mut intent = replies::classify(&cmd.text, &settings.reply_words, Locale::Id);
    let mut row = InboundRow {
        organization_id: org.to_owned(),
        id: cmd.id.clone(),
        received_at: to_db(ctx.now),
        sender: cmd.from.clone(),
        text: cmd.text.clone(),
        intent: intent.as_str().to_owned(),
        customer_id: None,
        appointment_id: None,
    };
    if !inbound::record(conn, &row)? {
        return Ok(InboundOutcome::Duplicate);
    }
    let Some((customer, locale)) = inbound::customer_by_phone(conn, org, &cmd.from)? else {
        return Ok(InboundOutcome::UnknownSender);
    };
    // The customer first, as every change of their appointments locks in that order.
    locks::customer(conn, org, &customer)?;
    row.customer_id = Some(customer.clone());
    intent = replies::classify(&cmd.text, &settings.reply_words, locale);
    row.intent = intent.as_str().to_owned();
    let Some(appointment) = inbound::next_upcoming(conn, org, &customer, to_db(ctx.now))? else {
        inbound::attach(conn, &row)?;
        return Ok(InboundOutcome::NoUpcomingAppointment);
    };
    row.appointment_id = Some(appointment.id.clone());
    inbound::attach(conn, &row)?;
    events::record(
        conn,
        org,
        &appointment.id,
        &ctx.actor,
        NewEvent {
            kind: EventKind::CustomerReplied,
            changes: json!({}),
            reason_category: None,
            reason_text: None,
            note: Some(cmd.text.clone()),
            details: Some(json!({ "intent": intent.as_str(), "message_id": cmd.id })),
        },
        ctx.now,
    )?;

    let context = outbox::context_of(
        conn,
        org,
        &appointment.customer_id,
        &appointment.location_id,
        &appointment.service_id,
    )?;
    let (tz, locale) = (context.time_zone.tz(), context.locale);
    let when = local_when(from_db(appointment.starts_at), tz, locale);
    let contact = context
        .location_phone
        .clone()
        .unwrap_or_else(|| context.location_name.clone());
    let mut fee = String::new();
    let mut times: Vec<String> = Vec::new();
    match intent {
        Intent::Confirm if appointment.status == AppointmentStatus::Booked => {
            let record = Record {
                note: Some("confirmed by the customer's reply".to_owned()),
                ..Record::default()
            };
            // A refusal cannot happen for a booked appointment still to come; if the
            // lifecycle ever says otherwise, the answer still goes and staff see the reply.
            let _ = lifecycle::apply(conn, ctx, appointment.clone(), tz, Action::Confirm, record)?;
        }
        Intent::Change => {
            let found = suggestions::find_alternatives(
                conn,
                ctx,
                FindAlternatives {
                    appointment_id: appointment.id.clone(),
                    near: None,
                    from: None,
                    to: None,
                    resource_id: None,
                    limit: 3,
                },
            )?;
            if let MoveTimes::Offered(alts) = found {
                times = alts
                    .alternatives
                    .iter()
                    .filter(|p| p.decision.allowed())
                    .map(|p| {
                        let at = local_when(p.suggestion.slot.start, tz, locale);
                        format!("{at} ({})", fee_text(p.decision.fee, alts.currency, locale))
                    })
                    .collect();
            }
        }
        Intent::Cancel => {
            let quote = quotes::quote_cancel(
                conn,
                ctx,
                QuoteCancel {
                    appointment_id: appointment.id.clone(),
                    ask: Ask {
                        reason: None,
                        override_: None,
                        asker: ctx.asker(),
                    },
                },
            )?;
            fee = fee_text(quote.decision.fee, quote.policy.currency, locale);
        }
        Intent::Confirm | Intent::Other => {}
    }
    let kind = reply_answers::kind_of(intent, !times.is_empty());
    let text = reply_answers::render(
        settings.answer_template(kind, locale),
        &Answer {
            customer_name: &context.customer_name,
            service: &context.service_name,
            location: &context.location_name,
            when: &when,
            // Written in at send time, as in messages.
            link: if links::carried(ctx, &appointment) {
                link_token::MARKER
            } else {
                ""
            },
            fee: &fee,
            survey_url: settings.survey_url.as_deref().unwrap_or_default(),
            contact: &contact,
            times,
        },
    );
    notices::answer(
        conn,
        ctx,
        &appointment,
        &context,
        cmd.channel,
        &cmd.from,
        text,
    )?;
    Ok(InboundOutcome::Answered {
        intent,
        appointment_id: appointment.id,
    })
}

fn fee_text(amount: i64, currency: Currency, locale: Locale) -> String {
    match (amount, locale) {
        (0, Locale::Id) => "tanpa biaya".to_owned(),
        (0, Locale::En) => "no fee".to_owned(),
        (a, Locale::Id) => format!("biaya {}", money_display::display(a, currency, locale)),
        (a, Locale::En) => format!("fee {}", money_display::display(a, currency, locale)),
    }
}
