//! Which way a message leaves: an organization's gateway takes every channel; a built-in
//! adapter takes its own channel instead (SMTP the e-mail, the WhatsApp Cloud API the
//! WhatsApp messages). Whom a message can reach follows from that.

use super::ContactChannel;
use super::customer;

/// One way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Gateway,
    Smtp,
    WhatsappCloud,
}

/// The ways an organization has set up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Routes {
    pub gateway: bool,
    pub smtp: bool,
    pub whatsapp_cloud: bool,
}

impl Routes {
    /// Whether the organization sends messages at all.
    pub fn any(&self) -> bool {
        self.gateway || self.smtp || self.whatsapp_cloud
    }

    /// The way a message on `channel` goes: its adapter when set, else the gateway.
    pub fn route(&self, channel: ContactChannel) -> Option<Route> {
        match channel {
            ContactChannel::Email if self.smtp => Some(Route::Smtp),
            ContactChannel::Whatsapp if self.whatsapp_cloud => Some(Route::WhatsappCloud),
            _ if self.gateway => Some(Route::Gateway),
            _ => None,
        }
    }

    /// The channel and address a customer is reached at: as `customer::reach` chooses
    /// (preferred channel, else WhatsApp, else e-mail), among the channels that have a
    /// way out. With a gateway that is every channel.
    pub fn reach<'a>(
        &self,
        preferred: ContactChannel,
        phone: Option<&'a str>,
        email: Option<&'a str>,
    ) -> Option<(ContactChannel, &'a str)> {
        let open = |ch: ContactChannel| self.route(ch).is_some();
        if let Some(r) = customer::reach(preferred, phone, email).filter(|(ch, _)| open(*ch)) {
            return Some(r);
        }
        [ContactChannel::Whatsapp, ContactChannel::Email]
            .into_iter()
            .filter(|ch| open(*ch))
            .find_map(|ch| customer::reach(ch, phone, email).filter(|(c, _)| *c == ch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContactChannel::*;

    const PHONE: Option<&str> = Some("+6281234567890");
    const MAIL: Option<&str> = Some("budi@example.com");

    #[test]
    fn an_adapter_takes_its_channel_and_the_gateway_the_rest() {
        let all = Routes {
            gateway: true,
            smtp: true,
            whatsapp_cloud: true,
        };
        assert_eq!(all.route(Email), Some(Route::Smtp));
        assert_eq!(all.route(Whatsapp), Some(Route::WhatsappCloud));
        assert_eq!(all.route(Sms), Some(Route::Gateway));
        let smtp_only = Routes {
            smtp: true,
            ..Routes::default()
        };
        assert_eq!(smtp_only.route(Whatsapp), None);
        assert!(smtp_only.any() && !Routes::default().any());
    }

    #[test]
    fn a_customer_is_reached_on_a_channel_that_has_a_way_out() {
        let gateway = Routes {
            gateway: true,
            ..Routes::default()
        };
        assert_eq!(gateway.reach(Sms, PHONE, MAIL), Some((Sms, PHONE.unwrap())));
        let smtp = Routes {
            smtp: true,
            ..Routes::default()
        };
        // Prefers WhatsApp, but only e-mail goes out: e-mail.
        assert_eq!(
            smtp.reach(Whatsapp, PHONE, MAIL),
            Some((Email, MAIL.unwrap()))
        );
        assert_eq!(smtp.reach(Whatsapp, PHONE, None), None);
        let wa = Routes {
            whatsapp_cloud: true,
            ..Routes::default()
        };
        assert_eq!(
            wa.reach(Email, PHONE, MAIL),
            Some((Whatsapp, PHONE.unwrap()))
        );
        assert_eq!(wa.reach(Sms, PHONE, None), Some((Whatsapp, PHONE.unwrap())));
    }
}
