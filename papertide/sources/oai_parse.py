"""Parse arXiv OAI-PMH responses (metadataPrefix `arXiv` or `arXivRaw`) into records.

Pure: no network, no storage. Protocol: http://www.openarchives.org/OAI/openarchivesprotocol.html;
formats: https://arxiv.org/OAI/arXiv.xsd and https://arxiv.org/OAI/arXivRaw.xsd
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from papertide.errors import InputError, SourceUnavailableError
from papertide.models import Paper, Record, Rejected, Version
from papertide.sources.base import (
    RecordError,
    build_paper,
    clean_line,
    parse_datetime,
    parse_version_number,
    raw_text,
    require_text,
)
from papertide.sources.xml_text import element_texts, serialise

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_PREFIXES = ("arXiv", "arXivRaw")
MALFORMED_REASON = "malformed XML"
# Errors caused by the request we were asked to make (section 3.6 of the protocol); any other
# code means the service itself is in trouble.
_INPUT_ERROR_CODES = frozenset(
    {
        "badArgument",
        "badResumptionToken",
        "badVerb",
        "cannotDisseminateFormat",
        "idDoesNotExist",
        "noSetHierarchy",
    }
)
_HINTS = {"badResumptionToken": " (resumption tokens expire: start the harvest again)"}


@dataclass(frozen=True, slots=True)
class OaiPage:
    """One ListRecords (or GetRecord) response.

    `resumption_token` is None when the list is complete. `malformed` is True when the document
    could not be read: `results` then holds one Rejected with the raw page.
    """

    results: list[Record | Rejected]
    resumption_token: str | None
    complete_list_size: int | None
    malformed: bool = False


def parse_oai_page(data: bytes, prefix: str, source: str) -> OaiPage:
    """Records of one response; deleted records are skipped, bad ones become Rejected.

    `noRecordsMatch` gives an empty, complete page. Other OAI-PMH errors raise InputError (the
    request was refused: bad argument, set, format or token) or SourceUnavailableError.
    """
    check_prefix(prefix)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return malformed_page(data, source, str(error))
    if root.tag != f"{OAI}OAI-PMH":
        return malformed_page(data, source, f"not an OAI-PMH response (root element {root.tag})")
    errors = root.findall(f"{OAI}error")
    if errors:
        raise_for_errors(errors)
        return OaiPage([], None, None)
    container = _first_present(root, f"{OAI}ListRecords", f"{OAI}GetRecord")
    if container is None:
        return malformed_page(data, source, "no ListRecords or GetRecord element")
    records = container.findall(f"{OAI}record")
    verbatim = element_texts(data, "record", len(records))
    parsed = [
        parse_record(record, prefix, source, verbatim[i] if verbatim else None)
        for i, record in enumerate(records)
    ]
    token, size = _resumption(container.find(f"{OAI}resumptionToken"))
    return OaiPage([result for result in parsed if result is not None], token, size)


def check_prefix(prefix: str) -> None:
    if prefix not in OAI_PREFIXES:
        raise InputError(f"unsupported OAI-PMH metadataPrefix {prefix!r}: use arXiv or arXivRaw")


def malformed_page(data: bytes, source: str, problem: str) -> OaiPage:
    """A page that could not be read: one Rejected holding the raw text, for quarantine."""
    raw = raw_text(data.decode("utf-8", errors="replace"))
    return OaiPage([Rejected(source, raw, f"{MALFORMED_REASON}: {problem}")], None, None, True)


def raise_for_errors(errors: list[ET.Element]) -> None:
    """Raise for OAI-PMH `<error>` elements unless they only say `noRecordsMatch`."""
    problems = [(e.get("code", "unknown"), " ".join("".join(e.itertext()).split())) for e in errors]
    real = [(code, message) for code, message in problems if code != "noRecordsMatch"]
    if not real:
        return
    text = "; ".join(f"{code}: {message}{_HINTS.get(code, '')}" for code, message in real)
    if all(code in _INPUT_ERROR_CODES for code, _ in real):
        raise InputError(f"OAI-PMH request refused: {text}")
    raise SourceUnavailableError(f"OAI-PMH service error: {text}")


def parse_record(
    record: ET.Element, prefix: str, source: str, raw: str | None = None
) -> Record | Rejected | None:
    """One `<record>`: a Record, a Rejected with its XML text, or None when it is deleted.

    `raw` is the record's text as received; without it the parsed element is serialised again.
    """
    header = record.find(f"{OAI}header")
    if header is not None and header.get("status") == "deleted":
        return None
    metadata = record.find(f"{OAI}metadata")
    try:
        content = None if metadata is None else next(iter(metadata), None)
        if content is None:
            raise RecordError("record without metadata")
        if _local(content.tag) != prefix:
            raise RecordError(f"expected <{prefix}> metadata, found <{_local(content.tag)}>")
        build = _arxiv_paper if prefix == "arXiv" else _raw_paper
        paper = build(content, _paper_id(content, header))
    except RecordError as error:
        return Rejected(source, raw_text(raw or serialise(record)), str(error))
    return Record(paper)


def _arxiv_paper(meta: ET.Element, paper_id: str) -> Paper:
    """The `arXiv` format: structured authors, day-precision created/updated, no versions."""
    return build_paper(
        id=paper_id,
        title=_field(meta, "title"),
        abstract=_field(meta, "abstract"),
        authors=_structured_authors(meta),
        categories=_field(meta, "categories"),
        comment=_field(meta, "comments"),
        journal_ref=_field(meta, "journal-ref"),
        doi=_field(meta, "doi"),
        license=_field(meta, "license"),
        published=parse_datetime(_field(meta, "created"), "created"),
        updated=parse_datetime(_field(meta, "updated"), "updated"),
    )


def _raw_paper(meta: ET.Element, paper_id: str) -> Paper:
    """The `arXivRaw` format: every version with its exact date; authors as one string."""
    versions = _raw_versions(meta)
    return build_paper(
        id=paper_id,
        title=_field(meta, "title"),
        abstract=_field(meta, "abstract"),
        authors=_field(meta, "authors"),
        categories=_field(meta, "categories"),
        version=versions[-1].number if versions else None,
        versions=versions,
        comment=_field(meta, "comments"),
        journal_ref=_field(meta, "journal-ref"),
        doi=_field(meta, "doi"),
        license=_field(meta, "license"),
        published=versions[0].submitted_at if versions else None,
        updated=versions[-1].submitted_at if versions else None,
    )


def _raw_versions(meta: ET.Element) -> list[Version]:
    """`<version version="v2"><date>RFC 2822</date><size>24kb</size>`, ordered by number."""
    found: dict[int, Version] = {}
    for element in _children(meta, "version"):
        number = parse_version_number(element.get("version", ""))
        date = parse_datetime(_field(element, "date"), f"date of v{number}")
        size = clean_line(_field(element, "size") or "") or None
        found.setdefault(number, Version(number, date, size))
    return [found[number] for number in sorted(found)]


def _structured_authors(meta: ET.Element) -> list[str]:
    """One name per `<author>`, as Forenames Keyname Suffix; stray ":" authors are dropped.

    arXiv splits "BICEP2 Collaborations: P. Ade" into authors with a keyname of just ":".
    """
    names = []
    for authors in _children(meta, "authors"):
        for author in _children(authors, "author"):
            parts = (_field(author, part) for part in ("forenames", "keyname", "suffix"))
            name = " ".join(part.strip() for part in parts if part and part.strip())
            if any(char.isalnum() for char in name):
                names.append(name)
    return names


def _paper_id(meta: ET.Element, header: ET.Element | None) -> str:
    """The metadata `<id>`, else the header's `oai:arXiv.org:` identifier."""
    found = _field(meta, "id")
    if (found is None or not found.strip()) and header is not None:
        found = _field(header, "identifier")
    return require_text(found, "id").strip()


def _resumption(element: ET.Element | None) -> tuple[str | None, int | None]:
    """(token, completeListSize); an empty token element means the list is complete."""
    if element is None:
        return None, None
    size = element.get("completeListSize", "").strip()
    token = (element.text or "").strip()
    return token or None, int(size) if size.isdigit() else None


def _first_present(root: ET.Element, *tags: str) -> ET.Element | None:
    for tag in tags:
        element = root.find(tag)
        if element is not None:
            return element
    return None


def _children(parent: ET.Element, name: str) -> list[ET.Element]:
    """Children by local name: hepcrawl's samples put arXiv fields in the OAI namespace."""
    return [child for child in parent if _local(child.tag) == name]


def _field(parent: ET.Element, name: str) -> str | None:
    children = _children(parent, name)
    return "".join(children[0].itertext()) if children else None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
