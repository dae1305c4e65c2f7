//! `limit` + opaque `cursor` lists, ordered by id (time-ordered UUIDv7), so a page
//! boundary never moves when rows are added.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::store::Page;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `limit`, or `default` when absent; refused outside 1 to `max`.
pub fn limit_within(limit: Option<i64>, default: i64, max: i64) -> Result<i64, Error> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(Error::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {max}"),
        )
        .with_field("limit"));
    }
    Ok(limit)
}

impl PageParams {
    /// The validated limit and the id to continue after.
    pub fn parse(&self) -> Result<(i64, Option<String>), Error> {
        let limit = limit_within(self.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(decode(c).ok_or_else(|| {
                Error::bad_request("invalid_cursor", "cursor is not one this API returned")
                    .with_field("cursor")
            })?),
        };
        Ok((limit, after))
    }
}

fn decode(cursor: &str) -> Option<String> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let id = raw.strip_prefix("v1:")?;
    uuid::Uuid::parse_str(id).ok()?;
    Some(id.to_owned())
}

pub fn encode(after_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{after_id}"))
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    pub fn from_page<R>(
        page: Page<R>,
        map: impl FnMut(R) -> Result<T, Error>,
    ) -> Result<Self, Error> {
        Ok(List {
            items: page.items.into_iter().map(map).collect::<Result<_, _>>()?,
            next_cursor: page.next_after.as_deref().map(encode),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let id = uuid::Uuid::now_v7().to_string();
        let p = PageParams {
            limit: Some(10),
            cursor: Some(encode(&id)),
        };
        assert_eq!(p.parse().unwrap(), (10, Some(id)));
        let bad = PageParams {
            limit: None,
            cursor: Some("bm9wZQ".into()),
        };
        assert_eq!(bad.parse().unwrap_err().field.as_deref(), Some("cursor"));
        let big = PageParams {
            limit: Some(201),
            cursor: None,
        };
        assert_eq!(big.parse().unwrap_err().code, "invalid_limit");
        assert_eq!(PageParams::default().parse().unwrap(), (50, None));
    }
}
