//! The MCP server: posfaq's search, answers, fix cards and articles as the
//! tools a chatbot platform plugs in (the Model Context Protocol, through
//! its official Rust SDK), and the fix cards as resources.
//!
//! `posfaq mcp` serves [`Posfaq`] over standard input and output
//! ([`serve_stdio`]); `posfaq serve` serves it over streamable HTTP at
//! `/mcp` ([`http_service`]), one instance per session, each taking the
//! engine that is live when a call starts. The tools (`tools`) call the
//! same [`Engine`] methods as the HTTP API and record what they serve in
//! the analytics as client `mcp`; `resources` lists and reads the cards.
//!
//! A call whose arguments do not fit the tool's schema (a number given as
//! text, a misspelt argument) is answered as a tool error that says so, so
//! that the model can correct itself; so is an unknown id.

mod resources;
mod tools;

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode,
    Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt, tool_handler};
use tokio_util::sync::CancellationToken;

use crate::analytics::Analytics;
use crate::search::Engine;

/// Where the tools get the live engine: the one `posfaq mcp` opened, or
/// the server's current one (which a reload swaps). An error says why
/// there is none.
pub type EngineSource = Arc<dyn Fn() -> Result<Arc<Engine>, String> + Send + Sync>;

/// What the server tells a model about itself when it connects.
const INSTRUCTIONS: &str = "posfaq 是 POS 机常见问题知识库：屏幕提示、应答码（如 83、51、A0）、商户状态、手续费、办理流程。\
客户描述一个问题时先用 `answer`，它给出解决方案卡片（步骤、置信度、备选）或说明没有可靠答案；需要浏览相关文章时用 `search`；\
知道卡片 id 或应答码时用 `get_fix`；要读原文时用 `get_article`。没有可靠答案时请如实告知并转人工，不要编造步骤。\n\
posfaq is a knowledge base of POS-terminal problems: messages on the screen, response codes, merchant status, fees, applications. \
For a customer's problem call `answer` first: it returns a fix card (steps, confidence, alternatives) or says it has none; \
use `search` to browse articles, `get_fix` for a card id or a response code, `get_article` to read an article. \
When there is no reliable answer, say so and hand over to a human agent; never invent steps.";

/// The MCP server: the four tools and the fix-card resources.
#[derive(Clone)]
pub struct Posfaq {
    engine: EngineSource,
    analytics: Option<Arc<Analytics>>,
    tool_router: ToolRouter<Posfaq>,
}

impl Posfaq {
    /// A server over `engine`, recording into `analytics` when given.
    pub fn new(engine: EngineSource, analytics: Option<Arc<Analytics>>) -> Posfaq {
        Posfaq {
            engine,
            analytics,
            tool_router: Posfaq::tool_router(),
        }
    }

    /// Runs `work` with the live engine on the blocking pool; a message
    /// for the model when there is no engine or the work panicked.
    async fn with_engine<T: Send + 'static>(
        &self,
        work: impl FnOnce(Arc<Engine>) -> T + Send + 'static,
    ) -> Result<T, String> {
        let engine = (self.engine)()?;
        tokio::task::spawn_blocking(move || work(engine))
            .await
            .map_err(|e| format!("internal error: {e}"))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Posfaq {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("posfaq", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    /// The router's call, with arguments that do not deserialize answered
    /// as a tool error (the router makes them a protocol error).
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        let known = self.tool_router.has_route(&name);
        let call = ToolCallContext::new(self, request, context);
        match self.tool_router.call(call).await {
            Err(e) if known && e.code == ErrorCode::INVALID_PARAMS => {
                Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "参数不符合 `{name}` 的要求 / invalid arguments for `{name}`: {}",
                    e.message
                ))])
                .into())
            }
            other => other,
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.with_engine(|engine| resources::list(&engine))
            .await
            .map_err(|e| ErrorData::internal_error(e, None))?
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        self.with_engine(move |engine| resources::read(&engine, &uri))
            .await
            .map_err(|e| ErrorData::internal_error(e, None))?
    }
}

/// Serves `server` over standard input and output until the client closes
/// its end.
pub async fn serve_stdio(server: Posfaq) -> std::io::Result<()> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}

/// Host names the HTTP endpoint always answers to.
const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The streamable HTTP endpoint: a [`Posfaq`] made by `server` for each
/// session; a request naming a host other than the loopback names and
/// `allowed_hosts` is refused; `shutdown` ends the sessions' streams.
pub fn http_service(
    server: impl Fn() -> Posfaq + Send + Sync + 'static,
    allowed_hosts: &[String],
    shutdown: CancellationToken,
) -> StreamableHttpService<Posfaq, LocalSessionManager> {
    let hosts: Vec<String> = LOOPBACK
        .iter()
        .map(|h| h.to_string())
        .chain(allowed_hosts.iter().cloned())
        .collect();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_cancellation_token(shutdown);
    StreamableHttpService::new(
        move || Ok(server()),
        LocalSessionManager::default().into(),
        config,
    )
}
