"""The `{name:id}` path parameter: a database id, 1 to 18 digits, so any value fits a signed
64-bit integer. A longer number matches no route (404) instead of overflowing the store."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

ID_DIGITS_MAX = 18  # 10**18 - 1 < 2**63 - 1, the largest id either engine stores
MAX_ID = 10**ID_DIGITS_MAX - 1  # the same bound for ids in request bodies


class IdConvertor(Convertor[int]):
    regex = f"[0-9]{{1,{ID_DIGITS_MAX}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


def register_id_convertor() -> None:
    """Make `{name:id}` known to the routes compiled after this call (idempotent)."""
    register_url_convertor("id", IdConvertor())
