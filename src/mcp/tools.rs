//! The four tools: `search`, `answer`, `get_fix` and `get_article`, with
//! their argument schemas (generated from the argument types; each field's
//! description, in Chinese and English, is its doc comment) and results as
//! JSON (text and structured content alike). Bad arguments and unknown
//! ids are tool errors with a message saying what was wrong.

use std::time::Instant;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ErrorData, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Posfaq;
use crate::analytics::{self, Client, Outcome, QueryEvent};
use crate::corpus::Category;
use crate::search::{SearchRequest, validate_query};

/// Hits a search returns when `limit` is not given, and at most.
const DEFAULT_LIMIT: u32 = 5;
const MAX_LIMIT: u32 = 20;

/// Arguments of `search`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// 搜索内容：屏幕上的提示、应答码或问题描述（1–200 字）。What to search for: a
    /// message on the terminal's screen, a response code, or the problem in
    /// the customer's words (1 to 200 characters).
    #[schemars(length(min = 1, max = 200))]
    pub query: String,
    /// 只看这一分类。Only articles of this category: status-error (状态与报错 /
    /// status and errors), fees (费用费率 / fees and rates), application
    /// (办理申请 / applying), usage (使用 / how to use), brand (品牌 / brands).
    #[schemars(extend("enum" = ["status-error", "fees", "application", "usage", "brand"]))]
    pub category: Option<String>,
    /// 只看这一品牌，如 拉卡拉、立刷。Only articles about this brand, as the
    /// knowledge base names it (拉卡拉, 立刷, ...).
    pub brand: Option<String>,
    /// 返回的文章数，1–20，默认 5。How many articles to return, 1 to 20 (default 5).
    #[schemars(range(min = 1, max = 20))]
    pub limit: Option<u32>,
}

/// Arguments of `answer`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerArgs {
    /// 客户的原话、屏幕提示或应答码（1–200 字）。The customer's message, the
    /// text on the screen or a response code (1 to 200 characters).
    #[schemars(length(min = 1, max = 200))]
    pub query: String,
}

/// Arguments of `get_fix`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixArgs {
    /// 解决方案卡片的 id（如 invalid-terminal），或终端显示的应答码（如 51、A0）。
    /// A fix card's id (e.g. invalid-terminal), or a response code the
    /// terminal shows (e.g. 51, A0).
    pub id: String,
}

/// Arguments of `get_article`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleArgs {
    /// 文章 id，来自 search 结果或解决方案的 sources。An article id, from a
    /// search hit or an answer's sources.
    pub id: String,
    /// 只要这一节：search 结果或 sources 中的 anchor（如 s-2）。Only this
    /// section: the `anchor` of a search hit or source (e.g. s-2).
    pub anchor: Option<String>,
}

fn ok(value: Value) -> Result<CallToolResult, ErrorData> {
    Ok(CallToolResult::structured(value))
}

fn fail(message: impl Into<String>) -> Result<CallToolResult, ErrorData> {
    Ok(CallToolResult::error(vec![ContentBlock::text(message)]))
}

/// The outcome of `result`, unless it failed: the tool's result either way.
fn done(result: Result<Value, String>) -> Result<CallToolResult, ErrorData> {
    match result {
        Ok(value) => ok(value),
        Err(message) => fail(message),
    }
}

#[tool_router(vis = "pub(super)")]
impl Posfaq {
    #[tool(
        name = "search",
        description = "搜索 POS 机知识库文章：按相关度返回文章、最匹配的段落和摘要，以及明确匹配时的推荐解决方案（fix）。weak 为 true 表示没有可靠结果，corrected 是纠错后实际搜索的词。\nSearch the POS-terminal knowledge base: ranked articles with their best section and a snippet, and the featured fix card when one clearly matches. `weak: true` means no hit is reliable; `corrected` is the query as searched when it was corrected. `query_id` names this search for feedback."
    )]
    async fn search(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let request = match search_request(args) {
            Ok(request) => request,
            Err(message) => return fail(message),
        };
        let started = Instant::now();
        let ran = self
            .with_engine(move |engine| {
                let response = engine.search(&request).map_err(|e| e.to_string())?;
                Ok::<_, String>((Outcome::search(&request, &response), response))
            })
            .await
            .and_then(|r| r);
        let (outcome, response) = match ran {
            Ok(ran) => ran,
            Err(message) => return fail(message),
        };
        let hits: Vec<Value> = response
            .hits
            .iter()
            .map(|h| {
                json!({"id": h.id, "title": h.title, "section": h.section, "anchor": h.anchor,
                       "snippet": h.snippet.text, "category": h.category, "brands": h.brands})
            })
            .collect();
        ok(json!({
            "query_id": self.record(outcome, started),
            "query": response.query,
            "corrected": response.corrected,
            "weak": response.weak,
            "total": response.total,
            "hits": hits,
            "fix": response.fix,
        }))
    }

    #[tool(
        name = "answer",
        description = "回答客户的问题：给出一张解决方案卡片（含义、可能原因、按顺序的解决步骤、何时转人工、置信度 confidence、备选 alternatives、来源 sources），没有可靠答案时 answer 为 null，此时请如实说明并转人工。\nAnswer a customer's message with the one canonical fix card (meaning, causes, ordered steps, when to escalate, a confidence, alternatives and source articles); `answer` is null when nothing fits: then say so and hand over to a human, do not guess."
    )]
    async fn answer(
        &self,
        Parameters(args): Parameters<AnswerArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        if let Err(e) = validate_query(&args.query) {
            return fail(format!("`query`: {e}"));
        }
        let started = Instant::now();
        let ran = self
            .with_engine(move |engine| engine.answer(&args.query).map_err(|e| e.to_string()))
            .await
            .and_then(|r| r);
        let response = match ran {
            Ok(response) => response,
            Err(message) => return fail(message),
        };
        let query_id = self.record(Outcome::answer(&response), started);
        let mut value = serde_json::to_value(&response).unwrap_or_default();
        value["query_id"] = json!(query_id);
        if response.answer.is_none() {
            value["message"] = json!(
                "没有找到可靠答案，请转人工客服。No reliable answer in the knowledge base: hand over to a human agent."
            );
        }
        ok(value)
    }

    #[tool(
        name = "get_fix",
        description = "按 id 或终端显示的应答码取一张解决方案卡片：含义、可能原因、解决步骤、仍未解决时怎么办、相关文章。\nGet one fix card by its id or by a response code the terminal shows (51, A0): meaning, causes, steps, escalation, related articles."
    )]
    async fn get_fix(
        &self,
        Parameters(args): Parameters<FixArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let id = args.id.trim().to_string();
        done(
            self.with_engine(move |engine| {
                let card = match engine.fix(&id).map_err(|e| e.to_string())? {
                    Some(card) => Some(card),
                    None => engine
                        .fixes()
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .find(|c| c.codes.iter().any(|code| code.eq_ignore_ascii_case(&id))),
                };
                let card = card.ok_or_else(|| {
                    format!("没有 id 或应答码为 `{id}` 的解决方案卡片。No fix card with the id or response code `{id}`.")
                })?;
                let mut value = serde_json::to_value(&card).map_err(|e| e.to_string())?;
                // The file a card was imported from is internal.
                if let Some(object) = value.as_object_mut() {
                    object.remove("source");
                }
                Ok(value)
            })
            .await
            .and_then(|r| r),
        )
    }

    #[tool(
        name = "get_article",
        description = "读一篇知识库文章：标题、分类、品牌、应答码，以及各节（标题、anchor、正文）；给出 anchor 时只返回那一节。\nRead a knowledge-base article: title, category, brands, codes and its sections (title, anchor, text); with `anchor`, only that section."
    )]
    async fn get_article(
        &self,
        Parameters(args): Parameters<ArticleArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let ArticleArgs { id, anchor } = args;
        done(
            self.with_engine(move |engine| {
                let article = engine
                    .article(&id)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("没有 id 为 `{id}` 的文章。No article with the id `{id}`."))?;
                let mut sections: Vec<Value> = article
                    .sections
                    .iter()
                    .filter(|s| anchor.as_ref().is_none_or(|a| *a == s.anchor))
                    .map(|s| json!({"title": s.title, "anchor": s.anchor, "text": s.text}))
                    .collect();
                if let Some(anchor) = &anchor
                    && sections.is_empty()
                {
                    let anchors: Vec<&str> = article.sections.iter().map(|s| s.anchor.as_str()).collect();
                    return Err(format!(
                        "文章 `{id}` 没有 anchor 为 `{anchor}` 的一节。Article `{id}` has no section `{anchor}`; its sections: {}.",
                        anchors.join(", ")
                    ));
                }
                Ok(json!({
                    "id": article.id, "title": article.title, "category": article.category,
                    "brands": article.brands, "codes": article.codes, "tags": article.tags,
                    "updated": article.updated, "sections": std::mem::take(&mut sections),
                }))
            })
            .await
            .and_then(|r| r),
        )
    }
}

impl Posfaq {
    /// Records what a tool served, as client `mcp`; the query id, when
    /// analytics are on.
    fn record(&self, outcome: Outcome, started: Instant) -> Option<String> {
        let analytics = self.analytics.as_ref()?;
        let id = analytics::new_query_id();
        analytics.record(QueryEvent {
            id: id.clone(),
            at_ms: analytics::now_ms(),
            client: Client::Mcp,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            outcome: std::sync::Arc::new(outcome),
        });
        Some(id)
    }
}

/// The engine's request for `search`'s arguments, or what is wrong with them.
fn search_request(args: SearchArgs) -> Result<SearchRequest, String> {
    validate_query(&args.query).map_err(|e| format!("`query`: {e}"))?;
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(format!(
            "`limit` must be from 1 to {MAX_LIMIT}, not {limit}"
        ));
    }
    let category = args
        .category
        .map(|c| c.parse::<Category>())
        .transpose()
        .map_err(|e| format!("`category`: {e}"))?;
    Ok(SearchRequest {
        limit: limit as usize,
        category,
        brand: args.brand.filter(|b| !b.trim().is_empty()),
        ..SearchRequest::new(args.query, 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_category_schema_lists_every_category() {
        let schema = schemars::schema_for!(SearchArgs);
        let listed = &schema.as_value()["properties"]["category"]["enum"];
        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, &json!(all));
    }

    #[test]
    fn bad_search_arguments_say_which() {
        let args = |query: &str, limit, category: Option<&str>| SearchArgs {
            query: query.into(),
            category: category.map(String::from),
            brand: None,
            limit,
        };
        assert!(
            search_request(args(" ", None, None))
                .unwrap_err()
                .contains("`query`")
        );
        assert!(
            search_request(args("a", Some(21), None))
                .unwrap_err()
                .contains("`limit`")
        );
        assert!(
            search_request(args("a", None, Some("x")))
                .unwrap_err()
                .contains("`category`")
        );
        let request = search_request(args("a", None, Some("fees"))).unwrap();
        assert_eq!((request.limit, request.category), (5, Some(Category::Fees)));
    }
}
