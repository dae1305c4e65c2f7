//! An organization's notification settings: one row, or none when it sends no messages.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{locations, notification_settings, services};
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = notification_settings, treat_none_as_null = true)]
pub struct SettingsRow {
    pub organization_id: String,
    pub gateway_url: Option<String>,
    pub secret_generation: i32,
    pub previous_secret_until: Option<NaiveDateTime>,
    /// JSON array of minutes before the start.
    pub reminder_offsets: String,
    /// `HH:MM`, both or neither.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub catch_up_minutes: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Minutes before the start: the follow-up of an unconfirmed appointment.
    pub unconfirmed_follow_up_minutes: Option<i32>,
    /// Minutes before the start: still unconfirmed, flagged for a call.
    pub unconfirmed_call_minutes: Option<i32>,
    pub survey_url: Option<String>,
    /// JSON array of the organization's templates (kind, locale, text).
    pub templates: String,
    /// JSON array of reminder timing overrides per location and service.
    pub overrides: String,
    /// JSON array of the organization's reply words (locale, intent, words).
    pub reply_words: String,
    /// JSON array of the organization's answers to replies (kind, locale, text).
    pub reply_answers: String,
}

pub fn get(conn: &mut DbConnection, org: &str) -> Result<Option<SettingsRow>, Error> {
    Ok(notification_settings::table
        .filter(notification_settings::organization_id.eq(org))
        .select(SettingsRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Writes the row, inserting it the first time. The caller holds the organization's lock.
pub fn save(conn: &mut DbConnection, row: &SettingsRow, is_new: bool) -> Result<(), Error> {
    if is_new {
        diesel::insert_into(notification_settings::table)
            .values(row)
            .execute(conn)?;
    } else {
        diesel::update(notification_settings::table.find(&row.organization_id))
            .set(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Whether the organization has a location with this id.
pub fn location_exists(conn: &mut DbConnection, org: &str, id: &str) -> Result<bool, Error> {
    let n: i64 = locations::table
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether the organization has a service with this id.
pub fn service_exists(conn: &mut DbConnection, org: &str, id: &str) -> Result<bool, Error> {
    let n: i64 = services::table
        .filter(services::organization_id.eq(org))
        .filter(services::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
