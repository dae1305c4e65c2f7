//! What one attempt to deliver a message came to, whichever way it went out.

/// The answer's status (an HTTP status, or an SMTP reply code), the error if it was not
/// delivered, and whether trying again could help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempted {
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The receiver said it will never take this message (an SMTP 5xx, a WhatsApp number
    /// that is not on WhatsApp): no retry, the message fails now.
    pub permanent: bool,
}

impl Attempted {
    pub fn sent(status: Option<u16>) -> Self {
        Attempted {
            status,
            error: None,
            permanent: false,
        }
    }

    /// Not delivered; another attempt may succeed.
    pub fn retry(status: Option<u16>, error: impl Into<String>) -> Self {
        Attempted {
            status,
            error: Some(error.into()),
            permanent: false,
        }
    }

    /// Not delivered, and no attempt will be.
    pub fn permanent(status: Option<u16>, error: impl Into<String>) -> Self {
        Attempted {
            status,
            error: Some(error.into()),
            permanent: true,
        }
    }
}
