"""TextSource: title/abstract lists copied from listing pages, with their page furniture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertide.ids import generated_id
from papertide.models import Paper, ParseResult, Record, Rejected
from papertide.sources.base import clean_paragraphs
from papertide.sources.text import TextSource
from papertide.sources.text_lines import classify_line, is_name_list, is_title_shaped

FILES = Path(__file__).resolve().parents[2] / "data" / "files"
ABSTRACT = (
    "We study how copied paper lists can be parsed. Our method finds titles, abstracts and "
    "page furniture, and it keeps the papers apart."
)


def read(path: Path) -> list[ParseResult]:
    return list(TextSource(path).records())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.txt"
    path.write_text(text)
    return path


def only_papers(results: list[ParseResult]) -> list[Paper]:
    return [item.paper for item in results if isinstance(item, Record)]


def outcomes(results: list[ParseResult]) -> list[str]:
    """Each result as its paper's title or its reject reason, in order."""
    return [
        item.paper.title if isinstance(item, Record) else item.reason
        for item in results
        if isinstance(item, Record | Rejected)
    ]


def test_text_arxiv_listing_page_gives_every_paper_with_its_metadata() -> None:
    results = read(FILES / "arxiv_list_new.txt")
    papers = only_papers(results)
    assert len(results) == len(papers) == 5  # header and footer furniture are dropped
    assert [(p.id, p.version) for p in papers] == [
        ("2506.13796", None),
        ("2506.13886", None),
        ("2506.13888", None),
        ("2506.13894", None),
        ("2506.13965", 2),
    ]
    first = papers[0]
    assert first.title == (
        "ClimateChat: Designing Data and Methods for Instruction Tuning LLMs to Answer Climate "
        "Change Queries"
    )
    assert first.authors == ("Zhou Chen", "Xiao Wang", "Yuanhong Liao", "Ming Lin", "Yuqi Bai")
    assert first.categories == ("cs.CL", "cs.AI")
    assert first.comment == "ICLR 2025 camera ready, 13 pages, 4 figures, 4 tables"
    assert first.abstract.startswith("As the issue of global climate change becomes increasingly")
    assert first.abstract.endswith("training climate change-specific LLMs.")
    assert papers[4].authors[0] == "Aleksander Smywiński-Pohl"
    assert papers[3].categories == ("cs.CL",)


def test_text_arxiv_listing_abstracts_equal_the_listing_data() -> None:
    listing = FILES / "arxiv_list_new.txt"
    abstracts = [line for line in listing.read_text().splitlines() if len(line) > 400]
    assert [p.abstract for p in only_papers(read(listing))] == abstracts


def test_text_hugging_face_page_gives_papers_with_generated_ids() -> None:
    papers = only_papers(read(FILES / "hf_daily.txt"))
    assert [p.title for p in papers] == [
        "LongLLaDA: Unlocking Long Context Capabilities in Diffusion LLMs",
        "Xolver: Multi-Agent Reasoning with Holistic Experience Learning Just Like an Olympiad "
        "Team",
        "Stream-Omni: Simultaneous Multimodal Interactions with Large Language-Vision-Speech Model",
        "Reasoning with Exploration: An Entropy Perspective",
    ]
    assert [p.id for p in papers] == [generated_id(p.title, p.abstract) for p in papers]
    assert papers[0].authors == (
        "Xiaoran Liu",
        "Zhigeng Liu",
        "Zengfeng Huang",
        "Qipeng Guo",
        "Ziwei He",
        "Xipeng Qiu",
    )
    assert papers[1].authors == ()
    assert papers[0].abstract.startswith("Large Language Diffusion Models, or diffusion LLMs")
    assert "LiuXR" not in papers[0].abstract


def page_entries(text: str) -> list[tuple[str, str, int]]:
    """(title, abstract, lines) of each entry of a page built as tests/data/files/README.md
    says: "Submitted by", user, "Upvote", count, title, [names], "·", "N authors", abstract."""
    entries = []
    for block in text.split("Submitted by\n")[1:]:
        lines = block.split("\n\n")[0].splitlines()
        dot = lines.index("·")
        abstract = lines[dot + 2 :]
        entries.append((lines[3], "\n".join(abstract), dot - 3 + len(abstract)))
    return entries


@pytest.mark.parametrize("name", ["hf_daily_titles.txt", "cs_page_titles.txt"])
def test_text_copied_daily_papers_page_gives_every_paper_and_accounts_for_every_line(
    name: str,
) -> None:
    """Titles with inner full stops ("Disks. II. Phase", "See it. Say it."), abbreviations
    ("vs.", "et al.", "U.S.", "Dr."), "Part II", "?", "...", LaTeX, a lower-case first word,
    one or two words; the issue's lost paper first and last on the page (issue #14)."""
    path = FILES / name
    text = path.read_text()
    entries = page_entries(text)
    source = TextSource(path)
    results = list(source.records())

    papers = only_papers(results)
    assert len(papers) == len(results) == len(entries)
    assert [(p.title, p.abstract) for p in papers] == [
        (title, clean_paragraphs(abstract)) for title, abstract, _ in entries
    ]
    tally = source.tally()
    furniture = sum(tally.furniture.values())
    assert tally.lines == len([line for line in text.splitlines() if line.strip()])
    assert tally.lines == tally.in_papers + tally.quarantined + furniture
    assert (tally.in_papers, tally.quarantined) == (sum(lines for *_, lines in entries), 0)
    assert tally.furniture["submitted by"] == tally.furniture["submitter names"] == len(entries)
    assert {"counts and symbols", "dates", "menus and labels", "site text"} <= set(tally.furniture)


@pytest.mark.parametrize("path", sorted(FILES.glob("*.txt")), ids=lambda path: path.name)
def test_text_every_line_of_every_fixture_is_accounted_for(path: Path) -> None:
    source = TextSource(path)
    results = list(source.records())
    tally = source.tally()
    non_blank = [line for line in path.read_text().splitlines() if line.strip()]
    furniture = sum(tally.furniture.values())
    assert tally.lines == len(non_blank) == tally.in_papers + tally.quarantined + furniture
    assert tally.quarantined >= sum(1 for item in results if isinstance(item, Rejected))


def test_text_perturbed_disks_ii_title_is_kept_with_its_authors() -> None:
    first = only_papers(read(FILES / "hf_daily_titles.txt"))[0]
    assert first.title == (
        "Vertical Waves in Perturbed Disks. II. Phase Spirals in the Solar Neighbourhood"
    )
    assert first.authors == ("Ann Lee", "Bo Chen")


def test_text_abstract_after_the_last_paper_is_quarantined_not_dropped(tmp_path: Path) -> None:
    text = (
        f"The Only Paper With A Title\n\n{ABSTRACT}\n\nPrevious\nNext\n\n"
        f"An abstract whose title line was lost. {ABSTRACT}\n\nAbout\nPrivacy Policy\n"
    )
    source = TextSource(write(tmp_path, text))
    assert outcomes(list(source.records())) == [
        "The Only Paper With A Title",
        "abstract without title at line 8",
    ]
    tally = source.tally()
    assert (tally.lines, tally.in_papers, tally.quarantined) == (7, 2, 1)
    assert tally.furniture == {"menus and labels": 4}


def test_text_lines_dropped_as_header_and_short_text_are_counted(tmp_path: Path) -> None:
    text = (
        "Some Site Header With Many Words\n\nHome\n\nThe Only Real Paper\n\n"
        f"{ABSTRACT}\n\nSubscribe To Our Newsletter Today\n\nsee more\n"
    )
    source = TextSource(write(tmp_path, text))
    assert outcomes(list(source.records())) == ["The Only Real Paper"]
    assert source.tally().furniture == {
        "page header and footer": 2,
        "short lines": 1,
        "short text": 1,
    }


def test_text_bare_list_with_an_orphan_title_and_two_paragraphs() -> None:
    results = read(FILES / "bare_list.txt")
    assert outcomes(results) == [
        "AI shares emotion with humans across languages and cultures",
        "Alignment Quality Index (AQI) : Beyond Refusals: AQI as an Intrinsic Alignment "
        "Diagnostic via Latent Geometry, Cluster Divergence, and Layer wise Pooled "
        "Representations",
        "title without abstract at line 10",
        "ASMR: Augmenting Life Scenario using Large Generative Models for Robotic Action "
        "Reflection",
        "Enhanced Sentiment Analysis of Iranian Restaurant Reviews Utilizing Sentiment "
        "Intensity Analyzer & Fuzzy Logic",
    ]
    orphan = results[2]
    assert isinstance(orphan, Rejected)
    assert (orphan.source, orphan.raw) == (
        "text:bare_list.txt",
        "A Title Whose Abstract Was Not Copied",
    )
    papers = only_papers(results)
    assert papers[2].abstract.count("\n\n") == 1
    assert papers[2].abstract.startswith("When designing robots to assist in everyday human")
    assert "\n" not in papers[0].abstract  # hard wraps joined


def test_text_generated_ids_are_stable_across_runs() -> None:
    first = [p.id for p in only_papers(read(FILES / "bare_list.txt"))]
    assert first == [p.id for p in only_papers(read(FILES / "bare_list.txt"))]
    assert all(paper_id.startswith("pt-") for paper_id in first)


def test_text_one_line_abstracts_without_blank_lines(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (FILES / "cs_listings_50.jsonl").read_text().splitlines()]
    text = "".join(f"{r['title']}\n{' '.join(r['abstract'].split())}\n" for r in rows)
    papers = only_papers(read(write(tmp_path, text)))
    assert [p.title for p in papers] == [" ".join(r["title"].split()) for r in rows]


def test_text_hard_wrapped_abstracts_separated_by_blank_lines(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (FILES / "cs_listings_50.jsonl").read_text().splitlines()]
    text = "".join(f"{r['title']}\n\n{r['abstract']}\n\n" for r in rows)
    papers = only_papers(read(write(tmp_path, text)))
    assert [p.title for p in papers] == [" ".join(r["title"].split()) for r in rows]


def test_text_abstract_page_copy_with_trailing_cite_as_lines(tmp_path: Path) -> None:
    text = f"""Computer Science > Computation and Language
arXiv:2501.01234 (cs)
[Submitted on 2 Jan 2025 (v1), last revised 9 Jan 2025 (this version, v3)]
Title:Parsing Copied Paper Lists
Authors:Ann Lee, Bo Chen
View PDF HTML (experimental)
Abstract:{ABSTRACT}
Comments:\t8 pages
Subjects:\tComputation and Language (cs.CL); Machine Learning (cs.LG)
Cite as:\tarXiv:2501.01234 [cs.CL]
 \t(or arXiv:2501.01234v3 [cs.CL] for this version)
https://doi.org/10.48550/arXiv.2501.01234
Submission history
From: Ann Lee [view email]
[v1] Thu, 2 Jan 2025 10:00:00 UTC (1,234 KB)
"""
    (paper,) = only_papers(read(write(tmp_path, text)))
    assert (paper.id, paper.version, paper.title) == ("2501.01234", 3, "Parsing Copied Paper Lists")
    assert paper.authors == ("Ann Lee", "Bo Chen")
    assert paper.categories == ("cs.CL", "cs.LG")
    assert paper.comment == "8 pages"
    assert paper.abstract == ABSTRACT


def test_text_ids_go_to_the_nearest_paper(tmp_path: Path) -> None:
    text = (
        f"First Paper About Parsing\n{ABSTRACT}\narXiv:2501.00001\n\n\n\n"
        f"arXiv:2501.00002v2\nSecond Paper About Parsing\n{ABSTRACT} Two.\n"
        f"[3] arXiv:2501.00003\n\nThird Paper About Parsing\n{ABSTRACT} Three.\n"
    )
    papers = only_papers(read(write(tmp_path, text)))
    assert [(p.id, p.version) for p in papers] == [
        ("2501.00001", None),
        ("2501.00002", 2),
        ("2501.00003", None),
    ]


def test_text_prose_without_title_between_papers_is_rejected(tmp_path: Path) -> None:
    text = (
        f"First Paper About Parsing\n\n{ABSTRACT}\n\nSubjects: Machine Learning (cs.LG)\n\n"
        f"An orphan paragraph. {ABSTRACT}\n\nSecond Paper About Parsing\n\n{ABSTRACT}\n"
    )
    assert outcomes(read(write(tmp_path, text))) == [
        "First Paper About Parsing",
        "abstract without title at line 7",
        "Second Paper About Parsing",
    ]


def test_text_header_and_footer_furniture_is_dropped_but_prefixed_titles_are_not(
    tmp_path: Path,
) -> None:
    text = (
        "Some Site Header With Many Words\nTitle: A Prefixed Title Without Abstract\n\n"
        f"The Only Real Paper\n\n{ABSTRACT}\n\nSubscribe To Our Newsletter Today\n"
    )
    assert outcomes(read(write(tmp_path, text))) == [
        "title without abstract at line 2",
        "The Only Real Paper",
    ]


def test_text_file_with_titles_only_rejects_each_title(tmp_path: Path) -> None:
    text = "A First Title Here\n\nA Second Title Here\n\nOk\n"
    assert outcomes(read(write(tmp_path, text))) == [
        "title without abstract at line 1",
        "title without abstract at line 3",
    ]


def test_text_invalid_utf8_line_is_rejected_and_the_paper_kept(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(
        b"A Paper With A Broken Line\n" + ABSTRACT.encode() + b"\nbroken \xff line\nmore text.\n"
    )
    results = read(path)
    assert outcomes(results) == [
        "invalid UTF-8 at line 3 (byte 0xff)",
        "A Paper With A Broken Line",
    ]
    assert isinstance(results[0], Rejected)
    assert results[0].raw == "broken \\xff line"
    assert only_papers(results)[0].abstract == f"{ABSTRACT} more text."


def test_text_html_and_latex_titles_are_kept_as_text(tmp_path: Path) -> None:
    text = f"<script>alert(1)</script> & $x<y$ Bounds\n\n{ABSTRACT}\n"
    assert outcomes(read(write(tmp_path, text))) == ["<script>alert(1)</script> & $x<y$ Bounds"]


def test_text_too_long_abstract_is_rejected(tmp_path: Path) -> None:
    text = f"A Paper With A Long Abstract\n{ABSTRACT * 200}\n\nNext Paper Title Here\n{ABSTRACT}\n"
    results = read(write(tmp_path, text))
    assert outcomes(results) == [
        f"bad record at line 1: abstract too long: {len(ABSTRACT) * 200} characters (limit 20000)",
        "Next Paper Title Here",
    ]


def test_text_link_lines_stay_in_their_abstract(tmp_path: Path) -> None:
    text = (
        f"A Paper With Code\n{ABSTRACT} Code is at\nhttps://github.com/a/b\n"
        f"Another Paper With Code\n{ABSTRACT}\n"
    )
    papers = only_papers(read(write(tmp_path, text)))
    assert [p.title for p in papers] == ["A Paper With Code", "Another Paper With Code"]
    assert papers[0].abstract.endswith("Code is at https://github.com/a/b")
    assert papers[0].links[0].url == "https://github.com/a/b"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("[12] arXiv:2501.01234 [pdf, html, other]", "meta"),
        ("Cite as: arXiv:2501.01234 [cs.CL]", "meta"),
        ("https://huggingface.co/papers/2501.01234", "meta"),
        ("arXiv:2504.14898. By reformulating EFE minimization as Variational Free Energy", "text"),
        ("Authors: Ann Lee, Bo Chen", "meta"),
        ("Subjects: Computation and Language (cs.CL)", "meta"),
        ("categories: anger, fear, joy, sadness, surprise, and disgust. In our work, we", "text"),
        ("Title: A Title", "title"),
        ("Abstract: We study things.", "abstract"),
        ("Help | Advanced Search", "furniture"),
        ("arxiv logo > cs > cs.CL", "furniture"),
        ("Results: F1-score > 0.8; ten exceeded 0.85. Top", "text"),
        ("[pdf, other]", "furniture"),
        ("[v1] Thu, 2 Jan 2025 10:00:00 UTC (1,234 KB)", "furniture"),
        ("42", "furniture"),
        ("·", "furniture"),
        ("Page 2 of 5", "furniture"),
        ("Mon, 13 Jan 2025", "furniture"),
        ("January 13, 2025", "furniture"),
        ("2025-01-13", "furniture"),
        ("Submitted on 13 Jan 2025", "furniture"),
        ("Download PDF", "furniture"),
        ("9 authors", "furniture"),
        ("Showing new listings for Monday, 13 January 2025", "furniture"),
        ("Submitted by", "submitted-by"),
        ("https://github.com/a/b", "url"),
        ("Next-Generation Transformers for Search", "text"),
    ],
)
def test_classify_line(line: str, kind: str) -> None:
    assert classify_line(1, line, False, False).kind == kind


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Attention Is All You Need", True),
        ("Is Attention All You Need?", True),
        ("We propose a new method.", False),
        ("improves over prior work on three", False),
        ("results on standard benchmarks and", False),
        ("We present DENSE (Documenting Evolving Progress Notes from Scattered", False),
        ("Our code is available at https://github.com/a/b", False),
        ("x" * 251, False),
    ],
)
def test_is_title_shaped(line: str, expected: bool) -> None:
    assert is_title_shaped(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ann Lee, Bo Chen and C. Wu", True),
        ("Xiaoran Liu, Zhigeng Liu, Ludwig van Beethoven", True),
        ("Vision, Language and Action", False),
        ("Seeing Is Believing, Hearing Is Understanding", False),
        ("Ann Lee", False),
    ],
)
def test_is_name_list(line: str, expected: bool) -> None:
    assert is_name_list(line) is expected
