"""BibTeX, RIS, CSL-JSON and meta tags of one paper; whole exports go through real clients in
tests/integration/web/test_citation_clients.py."""

import json
from datetime import UTC, datetime

from papertide.citation.formats import (
    citation_meta,
    clean_doi,
    render_citations,
    to_bibtex,
    to_csl,
    to_ris,
)
from papertide.ids import generated_id
from papertide.models import Paper

PAPER = Paper(
    id="2501.01234",
    version=2,
    title="The {Fast} & Furious: $O(n<m)$ Graph_Search at 100%",
    abstract="We study\ngraphs & <MASK> tokens.",
    authors=("Émile Zola", "Ada Lovelace", "OpenAI"),
    categories=("cs.DS", "cs.AI"),
    published=datetime(2024, 12, 31, tzinfo=UTC),
    doi="https://doi.org/10.1000/xyz",
    journal_ref="J. Graphs 1 (2025)",
)


def test_bibtex_entry_has_arxiv_fields_and_latex_safe_text():
    entry = to_bibtex(PAPER, "zola2024fast")
    assert entry.startswith("@misc{zola2024fast,\n")
    assert r"title         = {{The {Fast} \& Furious: $O(n<m)$ Graph\_Search at 100\%}}" in entry
    assert r"author        = {Zola, {\'E}mile and Lovelace, Ada and {OpenAI}}" in entry
    assert "eprint        = {2501.01234}" in entry
    assert "archivePrefix = {arXiv}" in entry
    assert "primaryClass  = {cs.DS}" in entry
    assert "doi           = {10.1000/xyz}" in entry
    assert "note          = {J. Graphs 1 (2025)}" in entry


def test_bibtex_doi_cannot_add_a_field():
    hostile = Paper("2501.01234", "T", "", doi="10.1/x}, note = {injected")
    entry = to_bibtex(hostile, "key")
    assert "doi           = {10.1/x%7D%2C%20note%20=%20%7Binjected}" in entry
    assert "note " not in entry
    assert clean_doi("not a doi") is None


def test_bibtex_name_with_and_stays_one_author():
    entry = to_bibtex(Paper("2501.01234", "T", "", ("Tom and Jerry Cat", "Li Wei")), "k")
    assert r"author        = {Cat, {Tom and Jerry} and Wei, Li}" in entry


def test_bibtex_for_generated_id_has_no_eprint():
    entry = to_bibtex(Paper(generated_id("Local", "x"), "Local paper", "x"), "anonlocal")
    assert "eprint" not in entry and "url" not in entry


def test_a_bibtex_export_adds_one_preamble_for_ams_commands():
    papers = [Paper("2501.00001", "On $\\mathbb{R}$", ""), Paper("2501.00002", "$\\mathbb{Z}$", "")]
    bib = render_citations([*papers, papers[0]], "bibtex")
    assert bib.count("@misc{") == 2
    assert bib.endswith("@preamble{ {\\providecommand{\\mathbb}[1]{\\mathbf{#1}}} }\n")


def test_ris_record_is_one_line_per_field():
    record = to_ris(PAPER, "zola2024fast")
    lines = record.splitlines()
    assert lines[:4] == [
        "TY  - UNPB",
        "ID  - zola2024fast",
        f"TI  - {PAPER.title}",
        "AU  - Zola, Émile",
    ]
    assert "AB  - We study graphs & <MASK> tokens." in lines
    assert "DA  - 2024/12/31" in lines and "PY  - 2024" in lines
    assert "L1  - https://arxiv.org/pdf/2501.01234" in lines
    assert "DO  - 10.1000/xyz" in lines
    assert lines[-2:] == ["ER  - ", ""]


def test_csl_item_names_dates_and_identifiers():
    item = to_csl(PAPER, "zola2024fast")
    assert item["id"] == item["citation-key"] == "zola2024fast"
    assert item["type"] == "article"
    assert item["author"] == [
        {"family": "Zola", "given": "Émile"},
        {"family": "Lovelace", "given": "Ada"},
        {"literal": "OpenAI"},
    ]
    assert item["issued"] == {"date-parts": [[2024, 12, 31]]}
    assert (item["number"], item["DOI"]) == ("arXiv:2501.01234", "10.1000/xyz")
    assert json.loads(render_citations([], "csl-json")) == []


def test_citation_meta_tags_for_zotero():
    tags = citation_meta(PAPER)
    assert tags[:4] == [
        ("citation_title", PAPER.title),
        ("citation_author", "Zola, Émile"),
        ("citation_author", "Lovelace, Ada"),
        ("citation_author", "OpenAI"),
    ]
    assert ("citation_date", "2024/12/31") in tags
    assert ("citation_arxiv_id", "2501.01234") in tags
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2501.01234") in tags
