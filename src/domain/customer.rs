//! Rules about how a customer can be reached.

use super::ContactChannel;
use crate::error::{Code, Error};

/// The channel a customer gets when none is asked for: WhatsApp when there is a phone
/// number (what most Indonesian customers read first), e-mail otherwise.
pub fn default_channel(has_phone: bool) -> ContactChannel {
    if has_phone {
        ContactChannel::Whatsapp
    } else {
        ContactChannel::Email
    }
}

/// Where a message to a customer goes: their preferred channel when they have its
/// address, else WhatsApp on their phone, else e-mail; `None` when they have neither.
pub fn reach<'a>(
    preferred: ContactChannel,
    phone: Option<&'a str>,
    email: Option<&'a str>,
) -> Option<(ContactChannel, &'a str)> {
    let by = |ch: ContactChannel| match ch {
        ContactChannel::Whatsapp | ContactChannel::Sms => phone.map(|p| (ch, p)),
        ContactChannel::Email => email.map(|e| (ch, e)),
    };
    by(preferred)
        .or_else(|| by(ContactChannel::Whatsapp))
        .or_else(|| by(ContactChannel::Email))
}

/// A customer must be reachable: a phone number or an e-mail address, and the
/// preferred channel must be one the customer actually has (WhatsApp and SMS need a
/// phone, e-mail needs an address).
pub fn check_reachable(
    has_phone: bool,
    has_email: bool,
    channel: ContactChannel,
) -> Result<(), Error> {
    if !has_phone && !has_email {
        return Err(Error::invalid(
            "phone",
            Code::ContactRequired,
            "a customer needs a phone number or an e-mail address",
        ));
    }
    let (ok, needs) = match channel {
        ContactChannel::Whatsapp | ContactChannel::Sms => (has_phone, "a phone number"),
        ContactChannel::Email => (has_email, "an e-mail address"),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "preferred_channel",
            Code::ChannelNeedsContact,
            format!("preferred_channel '{}' needs {needs}", channel.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_goes_where_the_customer_can_be_reached() {
        use ContactChannel::*;
        let (p, e) = (Some("+62812"), Some("b@x.id"));
        assert_eq!(reach(Sms, p, e), Some((Sms, "+62812")));
        assert_eq!(reach(Email, p, e), Some((Email, "b@x.id")));
        assert_eq!(reach(Email, p, None), Some((Whatsapp, "+62812")));
        assert_eq!(reach(Whatsapp, None, e), Some((Email, "b@x.id")));
        assert_eq!(reach(Whatsapp, None, None), None);
    }

    #[test]
    fn defaults_follow_the_phone() {
        assert_eq!(default_channel(true), ContactChannel::Whatsapp);
        assert_eq!(default_channel(false), ContactChannel::Email);
    }

    #[test]
    fn reachable_only_through_what_is_there() {
        use ContactChannel::*;
        assert!(check_reachable(true, false, Whatsapp).is_ok());
        assert!(check_reachable(true, false, Sms).is_ok());
        assert!(check_reachable(false, true, Email).is_ok());
        assert!(check_reachable(true, true, Email).is_ok());
        let e = check_reachable(false, false, Email).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::ContactRequired, Some("phone"))
        );
        for (phone, email, channel) in [
            (false, true, Whatsapp),
            (false, true, Sms),
            (true, false, Email),
        ] {
            let e = check_reachable(phone, email, channel).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (Code::ChannelNeedsContact, Some("preferred_channel"))
            );
        }
    }
}
