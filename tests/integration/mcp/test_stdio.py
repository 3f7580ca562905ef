"""`python -m papertide mcp` as a real process, driven over stdio by the MCP client library."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from .conftest import LATEST_DAY

TOOLS = {"search", "similar", "daily", "trending", "paper", "organization"}


async def talk(db: Path, errlog: Path) -> dict[str, Any]:
    """Initialize, list the tools, call each one and a few bad inputs; return what came back."""
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "papertide", "mcp", "--db", str(db)],
        env=dict(os.environ),
    )  # fmt: skip
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "search": ("search", {"query": "wind power forecasting", "limit": 3}),
        "similar": ("similar", {"paper_id": "https://arxiv.org/abs/2601.22777"}),
        "daily": ("daily", {}),
        "trending": ("trending", {"limit": 5}),
        "paper": ("paper", {"paper_id": "2507.00105"}),
        "organization": ("organization", {"org": "Wind Lab"}),
        "unknown": ("paper", {"paper_id": "2601.99999"}),
        "bad_date": ("daily", {"date": "31/12/2025"}),
        "bad_limit": ("search", {"query": "graph", "limit": "many"}),
        "after": ("search", {"query": "speech translation", "limit": 1}),
    }
    with errlog.open("w") as err:
        async with (
            stdio_client(server, errlog=err) as (read, write),
            ClientSession(read, write) as session,
        ):
            seen: dict[str, Any] = {"init": await session.initialize()}
            seen["tools"] = (await session.list_tools()).tools
            for key, (name, arguments) in calls.items():
                seen[key] = await session.call_tool(name, arguments)
    return seen


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_mcp_server_over_stdio_serves_every_tool_and_survives_bad_input(agent_db, store, tmp_path):
    store.set_paper_org("2507.00105", "wind-lab", "Wind Lab", "huggingface")
    errlog = tmp_path / "server.err"
    seen = anyio.run(talk, agent_db, errlog)

    init = seen["init"]
    assert init.server_info.name == "papertide"
    assert init.capabilities.tools is not None and "search" in (init.instructions or "")

    tools = {tool.name: tool for tool in seen["tools"]}
    assert set(tools) == TOOLS
    query = tools["search"].input_schema["properties"]["query"]
    assert "author:" in query["description"]
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["daily"].input_schema["properties"]["limit"]["maximum"] == 200
    for tool in tools.values():
        assert tool.description and tool.output_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.read_only_hint

    for name in TOOLS:
        assert not seen[name].is_error, text_of(seen[name])
        assert seen[name].structured_content and text_of(seen[name])
    assert seen["search"].structured_content["hits"][0]["id"] == "2507.00105"
    assert seen["similar"].structured_content["paper_id"] == "2601.22777"
    assert seen["daily"].structured_content["date"] == LATEST_DAY.isoformat()
    assert seen["daily"].structured_content["papers"][0]["upvotes"] == 40
    assert seen["trending"].structured_content["papers"][0]["breakdown"]
    assert seen["paper"].structured_content["abstract"]
    assert seen["organization"].structured_content["papers"][0]["id"] == "2507.00105"

    assert seen["unknown"].is_error
    unknown = "Error executing tool paper: no paper 2601.99999 in the store"
    assert text_of(seen["unknown"]) == unknown
    assert seen["bad_date"].is_error
    assert "date must be a real day as YYYY-MM-DD, not '31/12/2025'" in text_of(seen["bad_date"])
    assert seen["bad_limit"].is_error and "limit" in text_of(seen["bad_limit"])
    assert not seen["after"].is_error and seen["after"].structured_content["hits"]
    assert "Traceback" not in errlog.read_text()


def test_mcp_command_on_a_missing_folder_fails_with_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "papertide", "mcp", "--db", str(tmp_path / "no" / "such.db")],
        capture_output=True, text=True, input="", timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and "Traceback" not in done.stderr
    assert done.stdout == ""
