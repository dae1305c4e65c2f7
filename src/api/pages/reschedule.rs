//! `/a/{token}/reschedule`: the times offered with their fees (or, after a no-show, the
//! times to rebook at), the confirmation of one with its fee and the policy, and the move
//! itself for the fee the customer saw. The same use cases as `/v1/self` (alternatives,
//! quote, reschedule); a refusal is told in the words of its problem, with the times
//! that would work.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::move_markup::{self, ChoosePage, ConfirmPage, RefusedPage};
use super::words::Notice;
use super::{PageQuery, back, chosen, failed, html, own_form_for};
use crate::api::appointments::refusals::{move_problem, policy_problem};
use crate::app::quotes::RescheduleQuote;
use crate::app::reschedule::RescheduleOutcome;
use crate::app::self_service::{self, SelfMove, SelfView};
use crate::app::suggestions::MoveTimes;
use crate::domain::message_text::local_when;
use crate::domain::{Locale, Money, ReasonCategory};
use crate::error::Code;
use crate::http::form_token;
use crate::http::problem_text::detail;
use crate::http::state::AppState;
use crate::link_token;

/// How many times the page offers.
const OFFERED: usize = 5;

/// The reschedule page's query: its language and, optionally, another day.
#[derive(Debug, Deserialize)]
pub struct ChooseQuery {
    pub lang: Option<String>,
    /// `YYYY-MM-DD`, the location's local day to look at.
    pub date: Option<String>,
}

/// The start of `date` at the appointment's local time of day, in its zone.
fn near_on(view: &SelfView, date: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let tz = view.context.time_zone.tz();
    let time = view.start.with_timezone(&tz).time();
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The times to move to, each with its fee, and a day picker.
pub async fn choose(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<ChooseQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let (base, t, date) = (state.customer_ctx(), token.clone(), q.date.clone());
    // The day is the location's, so the view (its zone) comes first; both only read.
    let found = state
        .db
        .read(move |c| {
            let view = self_service::view(c, &base, &t)?;
            let near = date.as_deref().and_then(|d| near_on(&view, d));
            let found = self_service::alternatives(c, &base, &t, near, OFFERED)?;
            Ok((view, found))
        })
        .await;
    let (view, found) = match found {
        Ok(f) => f,
        Err(e) => return failed(&e, asked.unwrap_or(Locale::Id)),
    };
    let l = asked.unwrap_or(view.context.locale);
    let page = format!("/a/{token}");
    let tz = view.context.time_zone.tz();
    match found.answer {
        MoveTimes::CannotMove(refusal) => html(
            StatusCode::CONFLICT,
            move_markup::refused(&RefusedPage {
                locale: l,
                base: &page,
                why: vec![detail(&policy_problem(&refusal), l)],
                tz,
                currency: view.policy.currency,
                offered: &[],
                phone: view.context.location_phone.as_deref(),
            }),
        ),
        MoveTimes::Offered(a) => html(
            StatusCode::OK,
            move_markup::choose(&ChoosePage {
                locale: l,
                base: &page,
                current: local_when(view.start, tz, l),
                rebooking: view.status == crate::domain::AppointmentStatus::NoShow,
                tz,
                currency: a.currency,
                offered: &a.alternatives,
                date: q
                    .date
                    .clone()
                    .filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()),
            }),
        ),
    }
}

/// The confirmation page's query: the time chosen.
#[derive(Debug, Deserialize)]
pub struct PickQuery {
    pub lang: Option<String>,
    pub start: Option<String>,
}

fn instant(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?).ok().map(|t| t.to_utc())
}

/// Whether the only rules that refuse are about the reason, which the form asks for.
fn only_reason_missing(q: &RescheduleQuote) -> bool {
    use crate::app::quotes::MoveRefusal;
    use crate::domain::policy::Refusal;
    q.refusals
        .iter()
        .all(|r| matches!(r, MoveRefusal::Policy(Refusal::ReasonRequired)))
}

/// What the customer sees for a quote: the confirmation, or the refusal with the times
/// that would work.
fn quoted(
    state: &AppState,
    token: &str,
    view: &SelfView,
    quote: &RescheduleQuote,
    l: Locale,
    fee_changed: bool,
) -> HttpResponse {
    let page = format!("/a/{token}");
    let tz = view.context.time_zone.tz();
    if !only_reason_missing(quote) {
        let why = quote
            .refusals
            .iter()
            .map(|r| detail(&move_problem(r), l))
            .collect();
        return html(
            StatusCode::CONFLICT,
            move_markup::refused(&RefusedPage {
                locale: l,
                base: &page,
                why,
                tz,
                currency: quote.policy.currency,
                offered: &quote.alternatives,
                phone: view.context.location_phone.as_deref(),
            }),
        );
    }
    let field = form_token::issue(
        &state.secret_key,
        &link_token::hash(token),
        quote.appointment.version,
        "reschedule",
    );
    let status = if fee_changed {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    html(
        status,
        move_markup::confirm(&ConfirmPage {
            locale: l,
            base: &page,
            quote,
            tz,
            form_token: &field,
            fee_changed,
        }),
    )
}

/// The chosen time with its fee and the policy; its form makes the move. Changes
/// nothing.
pub async fn pick(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PickQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let Some(start) = instant(q.start.as_deref()) else {
        return super::redirect(&format!("/a/{token}/reschedule"), asked);
    };
    let (base, t) = (state.customer_ctx(), token.clone());
    let found = state
        .db
        .read(move |c| {
            let view = self_service::view(c, &base, &t)?;
            let wish = SelfMove {
                start,
                reason: None,
                reason_text: None,
            };
            let quote = self_service::quote_reschedule(c, &base, &t, wish)?;
            Ok((view, quote.answer))
        })
        .await;
    match found {
        Ok((view, quote)) => {
            let l = asked.unwrap_or(view.context.locale);
            quoted(&state, &token, &view, &quote, l, false)
        }
        Err(e) => failed(&e, asked.unwrap_or(Locale::Id)),
    }
}

/// The confirmation page's form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    pub version: Option<String>,
    pub form_token: Option<String>,
    pub start: Option<String>,
    pub fee: Option<String>,
    pub currency: Option<String>,
    pub reason_category: Option<String>,
}

/// The move, for the fee the page showed.
pub async fn reschedule(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    form: Option<web::Form<MoveForm>>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let l = asked.unwrap_or(Locale::Id);
    let form = form.map(web::Form::into_inner);
    let checked = form.as_ref().and_then(|f| {
        let version = own_form_for(
            &req,
            &state,
            &token,
            f.version.as_deref(),
            f.form_token.as_deref(),
            "reschedule",
        )?;
        let start = instant(f.start.as_deref())?;
        let fee: i64 = f.fee.as_deref()?.parse().ok()?;
        let reason = match f.reason_category.as_deref() {
            None | Some("") => None,
            Some(r) => Some(r.parse::<ReasonCategory>().ok()?),
        };
        Some((version, start, fee, f.currency.clone()?, reason))
    });
    let Some((version, start, fee, currency, reason)) = checked else {
        return super::refused_form_page(&token, l);
    };
    let (base, t) = (state.customer_ctx(), token.clone());
    let done = state
        .db
        .write(move |c| {
            let wish = SelfMove {
                start,
                reason,
                reason_text: None,
            };
            let accepted = Some(Money::new(fee, &currency));
            let done = self_service::reschedule(c, &base, &t, version, wish, accepted)?;
            // What the customer sees next, read in the same unit of work when refused.
            let view = match &done.answer {
                RescheduleOutcome::Moved(_) => None,
                _ => Some(self_service::view(c, &base, &t)?),
            };
            Ok((done.answer, view))
        })
        .await;
    match done {
        Ok((RescheduleOutcome::Moved(_), _)) => back(&token, asked, Notice::Moved),
        Ok((RescheduleOutcome::Refused { quote }, Some(view))) => {
            let l = asked.unwrap_or(view.context.locale);
            quoted(&state, &token, &view, &quote, l, false)
        }
        Ok((RescheduleOutcome::FeeChanged { quote }, Some(view))) => {
            let l = asked.unwrap_or(view.context.locale);
            quoted(&state, &token, &view, &quote, l, true)
        }
        Ok(_) => back(&token, asked, Notice::NotPossible),
        Err(e) if e.code == Code::VersionMismatch => back(&token, asked, Notice::Changed),
        Err(e) => failed(&e, l),
    }
}
