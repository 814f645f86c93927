//! `amanat admin reviewer …`: enrol, list and remove reviewers, and approve
//! or withdraw the pending grants of the identity and admin roles (which
//! need a second admin). Changes made here update the pinned recipient
//! sets without a warning.

use super::Ctx;
use crate::args::ReviewerCommand;
use crate::client::url_segment;
use crate::exit::CliError;
use crate::pins::repin;
use crate::render::{print_json, print_reviewers, roles, safe};
use amanat_core::api::{AddReviewerRequest, PendingGrantInfo, ReviewerInfo};
use serde_json::Value as Json;

/// Runs one reviewer command.
pub fn run(ctx: &Ctx, command: ReviewerCommand) -> Result<(), CliError> {
    let conn = ctx.connect()?;
    let (api, dir, server) = (&conn.api, ctx.dir.as_path(), conn.saved.server.as_str());
    match command {
        ReviewerCommand::Add {
            name,
            recipient,
            roles: r,
            json,
        } => {
            let answer: Json = api.post(
                "/api/v1/reviewers",
                &AddReviewerRequest {
                    name,
                    recipient,
                    roles: r,
                },
            )?;
            if json {
                return print_json(&answer);
            }
            let answer: AddAnswer = serde_json::from_value(answer).map_err(|e| {
                CliError::general(format!("unexpected answer from the server: {e}"))
            })?;
            let added = match answer {
                AddAnswer::Added(added) => added,
                AddAnswer::Pending(g) => {
                    println!(
                        "Pending: {} with roles {} needs a second admin's approval.\n\
                     Another admin runs: amanat admin reviewer approve {}\n\
                     (or the operator enrols them on the server with `amanatd reviewer add`).",
                        safe(&g.name),
                        roles(&g.roles),
                        g.id
                    );
                    return Ok(());
                }
            };
            repin(dir, server, &added, true)?;
            println!(
                "Added {} ({}) with roles {}",
                safe(&added.name),
                added.id,
                roles(&added.roles)
            );
            Ok(())
        }
        ReviewerCommand::Pending { json } => {
            let list: Vec<PendingGrantInfo> = api.get("/api/v1/reviewers/pending")?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                println!("No pending grants.");
            }
            for g in &list {
                println!(
                    "{}  {}  {}  asked by {} on {}  {}",
                    safe(&g.id),
                    safe(&g.name),
                    roles(&g.roles),
                    safe(&g.requested_by),
                    g.day,
                    safe(&g.recipient)
                );
            }
            Ok(())
        }
        ReviewerCommand::Approve { grant, json } => {
            let path = format!("/api/v1/reviewers/pending/{}/approve", url_segment(&grant));
            let added: ReviewerInfo = api.post(&path, &serde_json::json!({}))?;
            repin(dir, server, &added, true)?;
            if json {
                return print_json(&added);
            }
            println!(
                "Approved: {} ({}) is enrolled with roles {}",
                safe(&added.name),
                added.id,
                roles(&added.roles)
            );
            Ok(())
        }
        ReviewerCommand::Cancel { grant } => {
            let path = format!("/api/v1/reviewers/pending/{}", url_segment(&grant));
            let g: PendingGrantInfo = api.delete(&path)?;
            println!("Withdrew the pending grant for {}", safe(&g.name));
            Ok(())
        }
        ReviewerCommand::List { json } => {
            let list: Vec<ReviewerInfo> = api.get("/api/v1/reviewers")?;
            if json {
                return print_json(&list);
            }
            print_reviewers(&list);
            Ok(())
        }
        ReviewerCommand::Remove { reviewer } => {
            let path = format!("/api/v1/reviewers/{}", url_segment(&reviewer));
            let removed: ReviewerInfo = api.delete(&path)?;
            repin(dir, server, &removed, false)?;
            println!("Removed {} ({})", removed.name, removed.id);
            Ok(())
        }
    }
}

/// What `POST /api/v1/reviewers` answers: a pending grant (it has
/// `requested_by`) when a second admin must approve, else the enrolled
/// reviewer.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum AddAnswer {
    Pending(PendingGrantInfo),
    Added(ReviewerInfo),
}
