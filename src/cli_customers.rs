//! `janji customers`: customers who are one person, listed and merged by an operator.

use janji::app::customer_identity::{self, Merge};
use janji::config::Config;

use clap::Subcommand;

use crate::cli_db::{system_ctx, with_db};

/// `janji customers …`
#[derive(Subcommand)]
pub enum CustomersCommand {
    /// List groups of customers sharing a phone number or an external_ref.
    Duplicates {
        /// The organization's id or name.
        #[arg(long)]
        org: String,
    },
    /// Give the appointments (with their history) and fees of one customer to another,
    /// fill the contacts the kept one lacks, and delete the other: one transaction.
    Merge {
        /// The organization's id or name.
        #[arg(long)]
        org: String,
        /// The customer kept.
        #[arg(long)]
        into: String,
        /// The customer merged away (deleted).
        #[arg(long)]
        from: String,
    },
}

pub fn run(command: CustomersCommand, config: &Config) -> Result<(), String> {
    match command {
        CustomersCommand::Duplicates { org } => {
            let groups = with_db(config, |c| {
                let ctx = system_ctx(c, &org)?;
                customer_identity::duplicates(c, &ctx)
            })?;
            if groups.is_empty() {
                println!("no customers share a phone number or an external_ref");
            }
            for g in groups {
                println!("{} {} ({} customers)", g.shared, g.value, g.customers.len());
                for c in g.customers {
                    println!(
                        "    {:<38} {:<17} {}",
                        c.id,
                        c.created_at.format("%Y-%m-%d %H:%M"),
                        c.name
                    );
                }
            }
            Ok(())
        }
        CustomersCommand::Merge { org, into, from } => {
            let merged = with_db(config, |c| {
                let ctx = system_ctx(c, &org)?;
                customer_identity::merge(
                    c,
                    &ctx,
                    Merge {
                        into,
                        from: from.clone(),
                    },
                )
            })?;
            println!(
                "merged {from} into {} ({}): {} appointment(s) and {} fee(s) moved; {from} deleted",
                merged.customer.id,
                merged.customer.name,
                merged.moved.appointments,
                merged.moved.fees
            );
            Ok(())
        }
    }
}
