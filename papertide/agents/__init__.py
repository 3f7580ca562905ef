"""The agent interface: an MCP server whose tools search and browse papers (see docs/mcp.md).

`services` and `shape` import no MCP code; `server` does (import it only to run the server).
"""
