"""A real MCP client against posfaq's MCP server: the official Python SDK
(`pip install mcp`) over stdio (`posfaq mcp`) or streamable HTTP (`/mcp` of
`posfaq serve`). Driven by tests/mcp.rs, over an index of the repository's
corpus.

    python3 tests/mcp_client.py stdio POSFAQ_BINARY INDEX
    python3 tests/mcp_client.py http http://127.0.0.1:PORT/mcp

Lists the tools and resources, calls each tool, sends bad arguments and
unknown ids (each must be a tool error naming what was wrong, and the
session must go on), and reads a resource. Prints `recorded N` (the
searches and answers served, which the analytics must hold) and `MCP CHECK
PASSED`; exits 1 with the failed check otherwise.
"""

import asyncio
import json
import re
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

TOOLS = {
    "search": {"query", "category", "brand", "limit"},
    "answer": {"query"},
    "get_fix": {"id"},
    "get_article": {"id", "anchor"},
}
REQUIRED = {"search": {"query"}, "answer": {"query"}, "get_fix": {"id"}, "get_article": {"id"}}
CJK = re.compile(r"[\u4e00-\u9fff]")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def text_of(result):
    return "\n".join(c.text for c in result.content if getattr(c, "text", None))


async def call(client, name, arguments):
    result = await client.call_tool(name, arguments)
    return result, text_of(result)


async def ok(client, name, arguments):
    result, text = await call(client, name, arguments)
    check(not result.is_error, f"{name} {arguments}: error {text}")
    data = result.structured_content or json.loads(text)
    check(data == json.loads(text), f"{name}: text and structured content differ")
    return data


async def tool_error(client, name, arguments, *needles):
    result, text = await call(client, name, arguments)
    check(result.is_error, f"{name} {arguments}: expected a tool error, got {text[:200]}")
    for needle in needles:
        check(needle in text, f"{name} {arguments}: error does not say {needle!r}: {text}")


async def run(client):
    recorded = 0
    tools = {t.name: t for t in (await client.list_tools()).tools}
    check(set(tools) == set(TOOLS), f"tools: {sorted(tools)}")
    for name, tool in tools.items():
        schema = tool.input_schema
        check(set(schema["properties"]) == TOOLS[name], f"{name} arguments: {schema['properties']}")
        check(set(schema.get("required", [])) == REQUIRED[name], f"{name} required: {schema.get('required')}")
        check(CJK.search(tool.description) and re.search(r"[A-Za-z]{4} [a-z]+", tool.description),
              f"{name}: description not in Chinese and English")
        for arg, spec in schema["properties"].items():
            described = spec.get("description", "")
            check(CJK.search(described) and re.search(r"[A-Za-z]{3} [a-z]+", described),
                  f"{name}.{arg}: description not in Chinese and English: {described!r}")

    found = await ok(client, "search", {"query": "83无效终端"})
    recorded += 1
    check(found["hits"][0]["id"] == "lakala-83-invalid-terminal", f"search: {found['hits'][:1]}")
    check(found["fix"]["id"] == "invalid-terminal", f"search fix: {found['fix']}")
    check(re.fullmatch(r"[0-9a-f]{16}", found["query_id"] or ""), f"query_id: {found['query_id']}")
    check("<mark>" not in json.dumps(found, ensure_ascii=False), "search: snippets carry markup")
    check("source" not in found["hits"][0], "search: a hit names its import file")
    fees = await ok(client, "search", {"query": "手续费", "category": "fees", "limit": 2})
    recorded += 1
    check(0 < len(fees["hits"]) <= 2, f"limit 2: {len(fees['hits'])} hits")
    check(all(h["category"] == "fees" for h in fees["hits"]), f"category: {fees['hits']}")

    answer = await ok(client, "answer", {"query": "刷卡显示83无效终端怎么办"})
    recorded += 1
    card = answer["answer"]
    check(card["id"] == "invalid-terminal" and card["steps"] and card["confidence"] >= 0.5, f"answer: {card}")
    check(card["sources"], "answer: no sources")
    none = await ok(client, "answer", {"query": "今天天气怎么样"})
    recorded += 1
    check(none["answer"] is None and "没有找到可靠答案" in none["message"], f"off topic: {none}")

    fix = await ok(client, "get_fix", {"id": "invalid-terminal"})
    check(fix["id"] == "invalid-terminal" and fix["steps"] and "source" not in fix, f"get_fix: {fix}")
    by_code = await ok(client, "get_fix", {"id": "51"})
    check("51" in by_code["codes"], f"get_fix 51: {by_code['id']} {by_code['codes']}")
    await tool_error(client, "get_fix", {"id": "no-such-card-42"}, "no-such-card-42")

    article = await ok(client, "get_article", {"id": "lakala-83-invalid-terminal"})
    anchors = [s["anchor"] for s in article["sections"]]
    check(len(anchors) > 1, f"get_article sections: {anchors}")
    one = await ok(client, "get_article", {"id": "lakala-83-invalid-terminal", "anchor": anchors[1]})
    check([s["anchor"] for s in one["sections"]] == [anchors[1]], f"anchor: {one['sections']}")
    await tool_error(client, "get_article", {"id": "lakala-83-invalid-terminal", "anchor": "s-999"}, "s-999")
    await tool_error(client, "get_article", {"id": "no-such-article"}, "no-such-article")

    # Bad arguments: tool errors that say what was wrong, never a crash.
    await tool_error(client, "search", {"query": 83}, "83")
    await tool_error(client, "search", {"query": "刷卡", "limit": "ten"}, "ten")
    await tool_error(client, "search", {"q": "刷卡"}, "`q`")
    await tool_error(client, "search", {"query": "刷卡", "limit": 99}, "limit")
    await tool_error(client, "search", {"query": "刷卡", "category": "weather"}, "category")
    await tool_error(client, "search", {"query": "   "}, "query")
    await tool_error(client, "answer", {"query": "x" * 201}, "query")
    await tool_error(client, "get_fix", {}, "`id`")

    resources = (await client.list_resources()).resources
    uris = {str(r.uri) for r in resources}
    check("posfaq://fixes/invalid-terminal" in uris and len(uris) >= 50, f"resources: {len(uris)}")
    check(all(r.title and r.mime_type == "text/markdown" for r in resources), "resource titles")
    read = await client.read_resource("posfaq://fixes/invalid-terminal")
    body = read.contents[0].text
    check(body.index("## 解决步骤") < body.index("## 含义") and "1. " in body, f"resource: {body[:200]}")
    try:
        await client.read_resource("posfaq://fixes/no-such-card")
        check(False, "an unknown resource was read")
    except MCPError as e:
        check("no-such-card" in str(e), f"unknown resource: {e}")

    # The session survived all of that.
    again = await ok(client, "search", {"query": "商户状态异常"})
    recorded += 1
    check(again["hits"], "search after errors")
    return recorded


async def main():
    transport = sys.argv[1]
    if transport == "stdio":
        server = StdioServerParameters(
            command=sys.argv[2], args=["mcp", "--index", sys.argv[3]], env={"RUST_LOG": "warn"}
        )
    elif transport == "http":
        server = sys.argv[2]
    else:
        raise SystemExit(f"unknown transport {transport}")
    failed = None
    async with Client(server) as client:
        try:
            recorded = await run(client)
        except AssertionError as e:
            failed = str(e)
    if failed:
        print(f"MCP CHECK FAILED ({transport}): {failed}", file=sys.stderr)
        sys.exit(1)
    print(f"recorded {recorded}")
    print(f"MCP CHECK PASSED ({transport})")


if __name__ == "__main__":
    asyncio.run(main())
