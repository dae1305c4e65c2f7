//! `/a/{token}/cancel`: what cancelling costs now (and the reason choice when the policy
//! requires one), and the cancellation for the fee the customer saw. The same use cases
//! as `/v1/self` (quote_cancel, cancel). After it the link is dead, so the answer is the
//! page saying it is done rather than a redirect to a page that no longer opens.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::cancel_markup::{self, CancelPage};
use super::move_markup::{self, RefusedPage};
use super::words::Notice;
use super::{PageQuery, back, chosen, failed, html, own_form_for};
use crate::api::appointments::refusals::policy_problem;
use crate::app::cancel::CancelOutcome;
use crate::app::quotes::CancelQuote;
use crate::app::self_service::{self, SelfView};
use crate::domain::message_text::local_when;
use crate::domain::policy::Refusal;
use crate::domain::{Locale, Money, ReasonCategory};
use crate::error::Code;
use crate::http::form_token;
use crate::http::problem_text::detail;
use crate::http::state::AppState;
use crate::link_token;

/// The cancel page for a quote, or the refusal in words.
fn quoted(
    state: &AppState,
    token: &str,
    view: &SelfView,
    quote: &CancelQuote,
    l: Locale,
    fee_changed: bool,
) -> HttpResponse {
    let page = format!("/a/{token}");
    let tz = view.context.time_zone.tz();
    let blocking: Vec<&Refusal> = quote
        .refusals()
        .iter()
        .filter(|r| !matches!(r, Refusal::ReasonRequired))
        .collect();
    if !blocking.is_empty() {
        return html(
            StatusCode::CONFLICT,
            move_markup::refused(&RefusedPage {
                locale: l,
                base: &page,
                why: blocking
                    .iter()
                    .map(|r| detail(&policy_problem(r), l))
                    .collect(),
                tz,
                currency: quote.policy.currency,
                offered: &[],
                phone: view.context.location_phone.as_deref(),
            }),
        );
    }
    let field = form_token::issue(
        &state.secret_key,
        &link_token::hash(token),
        quote.appointment.version,
        "cancel",
    );
    let status = if fee_changed {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    html(
        status,
        cancel_markup::cancel(&CancelPage {
            locale: l,
            base: &page,
            quote,
            when: local_when(view.start, tz, l),
            form_token: &field,
            fee_changed,
        }),
    )
}

/// What cancelling costs now, and its form. Changes nothing.
pub async fn ask(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let asked = chosen(q.lang.as_deref());
    let (base, t) = (state.customer_ctx(), token.clone());
    let found = state
        .db
        .read(move |c| {
            let view = self_service::view(c, &base, &t)?;
            let quote = self_service::quote_cancel(c, &base, &t, None)?;
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

/// The cancel page's form.
#[derive(Debug, Deserialize)]
pub struct CancelForm {
    pub version: Option<String>,
    pub form_token: Option<String>,
    pub fee: Option<String>,
    pub currency: Option<String>,
    pub reason_category: Option<String>,
}

/// The cancellation, for the fee the page showed.
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
    form: Option<web::Form<CancelForm>>,
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
            "cancel",
        )?;
        let fee: i64 = f.fee.as_deref()?.parse().ok()?;
        let reason = match f.reason_category.as_deref() {
            None | Some("") => None,
            Some(r) => Some(r.parse::<ReasonCategory>().ok()?),
        };
        Some((version, fee, f.currency.clone()?, reason))
    });
    let Some((version, fee, currency, reason)) = checked else {
        return super::refused_form_page(&token, l);
    };
    let (base, t) = (state.customer_ctx(), token.clone());
    let done = state
        .db
        .write(move |c| {
            // Read first: once cancelled, the link opens nothing to read.
            let view = self_service::view(c, &base, &t)?;
            let accepted = Some(Money::new(fee, &currency));
            let done = self_service::cancel(c, &base, &t, version, reason, None, accepted)?;
            Ok((done.answer, view))
        })
        .await;
    match done {
        Ok((CancelOutcome::Cancelled(c), view)) => {
            let l = asked.unwrap_or(view.context.locale);
            html(
                StatusCode::OK,
                cancel_markup::cancelled(l, c.appointment.start, c.appointment.tz),
            )
        }
        Ok((CancelOutcome::Refused { quote }, view)) => {
            let l = asked.unwrap_or(view.context.locale);
            quoted(&state, &token, &view, &quote, l, false)
        }
        Ok((CancelOutcome::FeeChanged { quote }, view)) => {
            let l = asked.unwrap_or(view.context.locale);
            quoted(&state, &token, &view, &quote, l, true)
        }
        Err(e) if e.code == Code::VersionMismatch => back(&token, asked, Notice::Changed),
        Err(e) => failed(&e, l),
    }
}
