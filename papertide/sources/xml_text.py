"""Raw XML text of parsed elements, for quarantine rows that keep records as received. Pure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET


def element_texts(data: bytes, tag: str, count: int) -> list[str] | None:
    """The text of every unprefixed `<tag>` element exactly as received, in document order.

    None unless exactly `count` are found, each closed before the next opens (a prefixed or
    self-closing tag, or markup inside CDATA or comments, makes the text search unreliable;
    callers then re-serialise the parsed element instead). One pass over the text: a search
    from each opening tag to its closing one would take quadratic time on a crafted page of
    many tags that never close.
    """
    text = data.decode("utf-8", errors="replace")
    tags = re.compile(rf"<{tag}(?=[\s/>])|</{tag}\s*>")
    found: list[str] = []
    start: int | None = None
    for match in tags.finditer(text):
        if match[0].startswith("</"):
            if start is None:
                return None  # a closing tag without an opening one
            found.append(text[start : match.end()])
            start = None
        elif start is not None or len(found) == count:
            return None  # nested or surplus opening tag
        else:
            start = match.start()
    return found if len(found) == count and start is None else None


def serialise(element: ET.Element) -> str:
    """An element as XML text (namespaces get generated prefixes such as ns0)."""
    return ET.tostring(element, encoding="unicode").strip()
