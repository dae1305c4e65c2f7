//! Operator commands that act on the database directly, without the HTTP server.

use clap::{Subcommand, ValueEnum};

use janji::config::Config;
use janji::db;
use janji::domain::{Country, Currency, Locale, Role, TimeZone};
use janji::repo::api_keys;
use janji::repo::organizations::{self, NewOrganization};
use janji::server::announce;
use janji::tenancy;

use crate::cli_customers::CustomersCommand;
use crate::cli_db::{open, show, system_ctx, with_db};

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Run only the outbox dispatcher: send due messages until stopped (beside servers
    /// started with `JANJI_DISPATCH=false`, or as extra senders).
    Dispatch,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Organizations (tenants).
    #[command(subcommand)]
    Org(OrgCommand),
    /// API keys of an organization.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Customers who are one person: list them, merge them.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Create a demo dealer ("Sinar Motor", Jakarta) as a new organization, with a
    /// location, bays, advisors, services, customers and the coming public holidays;
    /// print its admin key once.
    Demo,
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create an organization and print its first admin key once.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "Asia/Jakarta")]
        time_zone: String,
        #[arg(long, default_value = "IDR")]
        currency: String,
        #[arg(long, value_enum, default_value = "id")]
        locale: LocaleArg,
        /// ISO 3166-1 alpha-2 country of national phone numbers.
        #[arg(long, default_value = "ID")]
        country: String,
    },
    /// List organizations: id, name, country, created.
    List,
}

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print its secret once (also how to get back in after losing
    /// every admin key).
    Create {
        /// The organization's id or name.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        name: String,
    },
    /// List an organization's keys (never their secrets).
    List {
        /// The organization's id or name.
        #[arg(long)]
        org: String,
    },
    /// Revoke a key at once.
    Revoke {
        /// The organization's id or name.
        #[arg(long)]
        org: String,
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Staff,
    Integration,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LocaleArg {
    Id,
    En,
}

pub fn run(command: Command, config: &Config) -> Result<(), String> {
    match command {
        Command::Serve | Command::Dispatch => unreachable!("served from main"),
        Command::Openapi => {
            print!("{}", janji::openapi::to_pretty_json());
            Ok(())
        }
        Command::Migrate => {
            let mut conn = db::connect(config.database_url.expose())?;
            let ran = db::migrate_one(&mut conn)?;
            println!("applied {ran} migration(s)");
            Ok(())
        }
        Command::Org(OrgCommand::Create {
            name,
            time_zone,
            currency,
            locale,
            country,
        }) => {
            let new = NewOrganization {
                name: janji::domain::text::required("name", &name, 200).map_err(show)?,
                time_zone: TimeZone::parse("time_zone", &time_zone).map_err(show)?,
                currency: Currency::parse("currency", &currency).map_err(show)?,
                country: Country::parse("country", &country).map_err(show)?,
                locale: match locale {
                    LocaleArg::Id => Locale::Id,
                    LocaleArg::En => Locale::En,
                },
            };
            let created = with_db(config, |c| {
                tenancy::create_with_admin_key(c, new, chrono::Utc::now())
            })?;
            announce(&created);
            Ok(())
        }
        Command::ApiKey(ApiKeyCommand::Create { org, role, name }) => {
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Staff => Role::Staff,
                RoleArg::Integration => Role::Integration,
            };
            let (row, secret) = with_db(config, |c| {
                let org = organizations::find_by_id_or_name(c, &org)?;
                api_keys::create(c, &org.id, &name, role, chrono::Utc::now())
            })?;
            println!(
                "Created {} key {} ({}). Secret, shown only this once:\n\n    {secret}\n",
                row.role, row.prefix, row.id
            );
            Ok(())
        }
        Command::ApiKey(ApiKeyCommand::List { org }) => {
            let page = with_db(config, |c| {
                let org = organizations::find_by_id_or_name(c, &org)?;
                api_keys::list(c, &org.id, None, i64::MAX - 1)
            })?;
            println!(
                "{:<38} {:<18} {:<12} {:<26} name",
                "id", "prefix", "role", "status"
            );
            for k in page.items {
                let status = match (k.revoked_at, k.last_used_at) {
                    (Some(t), _) => format!("revoked {}", t.format("%Y-%m-%d %H:%M")),
                    (None, Some(t)) => format!("used {}", t.format("%Y-%m-%d %H:%M")),
                    (None, None) => "never used".to_owned(),
                };
                println!(
                    "{:<38} {:<18} {:<12} {:<26} {}",
                    k.id, k.prefix, k.role, status, k.name
                );
            }
            Ok(())
        }
        Command::Org(OrgCommand::List) => {
            let orgs = with_db(config, organizations::list_all)?;
            println!("{:<38} {:<8} {:<17} name", "id", "country", "created (UTC)");
            for o in orgs {
                println!(
                    "{:<38} {:<8} {:<17} {}",
                    o.id,
                    o.country.code(),
                    o.created_at.format("%Y-%m-%d %H:%M"),
                    o.name
                );
            }
            Ok(())
        }
        Command::Customers(command) => crate::cli_customers::run(command, config),
        Command::Demo => {
            let mut conn = open(config)?;
            let summary = janji::demo::seed(&mut conn, chrono::Utc::now()).map_err(show)?;
            announce(&summary.created);
            print!("{}", summary.describe());
            Ok(())
        }
        Command::ApiKey(ApiKeyCommand::Revoke { org, id }) => {
            let key = with_db(config, |c| {
                let ctx = system_ctx(c, &org)?;
                janji::app::api_keys::revoke(c, &ctx, &id)
            })?;
            println!("revoked {} ({})", key.prefix, key.id);
            Ok(())
        }
    }
}
