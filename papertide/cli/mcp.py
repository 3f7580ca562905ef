"""`mcp`: serve the agent tools (search, similar, daily, trending, paper, organization) over MCP
on stdio."""

from __future__ import annotations

from contextlib import closing

import click

from papertide.cli.common import db_option, open_store, settings_for
from papertide.wiring import build_agent_services


@click.command()
@db_option
def mcp(db: str | None) -> None:
    """Run the MCP server for LLM agents on standard input/output (tools: search, similar,
    daily, trending, paper, organization). Register this command with an MCP client; see
    docs/mcp.md."""
    from papertide.agents.server import create_mcp_server  # the MCP SDK loads for this only

    with open_store(db) as store:
        services = build_agent_services(settings_for(db), store)
        with closing(services.search):
            create_mcp_server(services).run("stdio")
