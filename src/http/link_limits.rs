//! Keyed token buckets for the link endpoints' rate limits (`http::rate_limit`): a
//! bucket per link and one per client address, kept in the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A bucket's size and how fast it fills.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    /// Requests at once.
    pub burst: u32,
    /// One more request allowed after this long.
    pub every: Duration,
}

/// How many buckets are kept before the full ones are forgotten.
const SWEEP_AT: usize = 10_000;

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Keyed token buckets of one rate.
#[derive(Clone)]
pub struct Limiter {
    rate: Rate,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Limiter {
            rate,
            buckets: Arc::default(),
        }
    }

    /// Takes one request from `key`'s bucket at `now`, or says how long until it holds one.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.rate.burst.max(1));
        let per_second = 1.0 / self.rate.every.as_secs_f64().max(1e-6);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < burst
            });
        }
        let b = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refill = now.saturating_duration_since(b.at).as_secs_f64() * per_second;
        b.tokens = (b.tokens + refill).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / per_second))
        }
    }
}

/// The limits of the link endpoints: per link and per client address.
#[derive(Clone)]
pub struct LinkLimits {
    pub per_link: Limiter,
    pub per_address: Limiter,
}

impl Default for LinkLimits {
    /// 30 requests at once per link, then one every 2 s; 120 per address, then 2 a second.
    /// A customer reading, quoting and changing an appointment needs a handful.
    fn default() -> Self {
        LinkLimits::new(
            Rate {
                burst: 30,
                every: Duration::from_secs(2),
            },
            Rate {
                burst: 120,
                every: Duration::from_millis(500),
            },
        )
    }
}

impl LinkLimits {
    /// The default limit per link, and `per_minute` requests a minute per address.
    pub fn per_address_per_minute(per_minute: u32) -> Self {
        let per_link = LinkLimits::default().per_link.rate;
        LinkLimits::new(
            per_link,
            Rate {
                burst: per_minute,
                every: Duration::from_secs(60) / per_minute.max(1),
            },
        )
    }

    pub fn new(per_link: Rate, per_address: Rate) -> Self {
        LinkLimits {
            per_link: Limiter::new(per_link),
            per_address: Limiter::new(per_address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_one_per_interval() {
        let l = Limiter::new(Rate {
            burst: 3,
            every: Duration::from_secs(2),
        });
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.take("a", t).is_ok());
        }
        let wait = l.take("a", t).unwrap_err();
        assert!(
            wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(l.take("b", t).is_ok(), "another key has its own bucket");
        assert!(l.take("a", t + Duration::from_secs(2)).is_ok());
        assert!(l.take("a", t + Duration::from_secs(2)).is_err());
    }
}
