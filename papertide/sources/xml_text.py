"""Raw XML text of parsed elements, for quarantine rows that keep records as received. Pure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET


def element_texts(data: bytes, tag: str, count: int) -> list[str] | None:
    """The text of every unprefixed `<tag>` element exactly as received, in document order.

    None unless exactly `count` are found (a prefixed tag, or markup inside CDATA or comments,
    makes the text search unreliable; callers then re-serialise the parsed element instead).
    """
    pattern = re.compile(rf"<{tag}(?=[\s/>]).*?</{tag}\s*>", re.DOTALL)
    found = pattern.findall(data.decode("utf-8", errors="replace"))
    return found if len(found) == count else None


def serialise(element: ET.Element) -> str:
    """An element as XML text (namespaces get generated prefixes such as ns0)."""
    return ET.tostring(element, encoding="unicode").strip()
