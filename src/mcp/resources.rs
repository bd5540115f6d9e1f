//! The fix cards as MCP resources: `posfaq://fixes/{id}`, each read as
//! Markdown in the order an agent works from it (steps first, then what
//! the problem means, its causes, and when to escalate).

use std::fmt::Write;

use rmcp::ErrorData;
use rmcp::model::{
    ListResourcesResult, ReadResourceResponse, ReadResourceResult, Resource, ResourceContents,
};
use serde_json::json;

use crate::corpus::FixCard;
use crate::search::Engine;

/// The URI of every card: this, then its id.
const PREFIX: &str = "posfaq://fixes/";
const MIME: &str = "text/markdown";

/// The URI of the card `id`.
pub(super) fn uri(id: &str) -> String {
    format!("{PREFIX}{id}")
}

/// Every card, by id.
pub(super) fn list(engine: &Engine) -> Result<ListResourcesResult, ErrorData> {
    let cards = engine
        .fixes()
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let resources = cards
        .iter()
        .map(|card| {
            let mut about = card.summary.lines().next().unwrap_or_default().to_string();
            if !card.codes.is_empty() {
                let _ = write!(about, "（应答码 / codes: {}）", card.codes.join(", "));
            }
            Resource::new(uri(&card.id), card.id.clone())
                .with_title(card.title.clone())
                .with_description(about)
                .with_mime_type(MIME)
        })
        .collect();
    Ok(ListResourcesResult::with_all_items(resources))
}

/// The card a URI names, as Markdown; an error naming the URI when it
/// names none.
pub(super) fn read(engine: &Engine, uri: &str) -> Result<ReadResourceResponse, ErrorData> {
    let not_found = || {
        ErrorData::resource_not_found(
            format!("no fix card at `{uri}` (cards are {PREFIX}ID)"),
            Some(json!({ "uri": uri })),
        )
    };
    let id = uri.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let card = engine
        .fix(id)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
        .ok_or_else(not_found)?;
    let text = ResourceContents::text(markdown(&card), uri).with_mime_type(MIME);
    Ok(ReadResourceResult::new(vec![text]).into())
}

/// A card as Markdown, steps first.
pub(super) fn markdown(card: &FixCard) -> String {
    let mut out = format!("# {}\n", card.title);
    if !card.codes.is_empty() {
        let _ = writeln!(out, "\n应答码 / codes: {}", card.codes.join(", "));
    }
    out.push_str("\n## 解决步骤\n\n");
    for (n, step) in card.steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {step}", n + 1);
    }
    let _ = write!(out, "\n## 含义\n\n{}\n", card.summary.trim());
    if !card.causes.is_empty() {
        out.push_str("\n## 可能原因\n\n");
        for cause in &card.causes {
            let _ = writeln!(out, "- {cause}");
        }
    }
    if !card.escalation.trim().is_empty() {
        let _ = write!(out, "\n## 仍未解决\n\n{}\n", card.escalation.trim());
    }
    out
}
