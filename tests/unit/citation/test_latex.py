"""LaTeX for BibTeX fields: specials escaped, Unicode as commands, math kept only when it
compiles. Whether it really compiles is checked with pdflatex in the integration tests."""

# ruff: noqa: RUF001  (Greek letters in titles are the point)

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertide.citation.latex import ams_definitions, ascii_fold, latex_text, math_latex


def bibtex_depths(text: str) -> list[int]:
    """Brace depth after each character, counted as BibTeX counts (a backslash escapes none)."""
    depth, depths = 0, []
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        depths.append(depth)
    return depths


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Training on $60 GPUs", r"Training on \$60 GPUs"),
        ("$5-$10 per hour", r"\$5-\$10 per hour"),
        ("M^3: Dense Matching", r"M\textasciicircum{}3: Dense Matching"),
        ("10% & #1 _x ~y", r"10\% \& \#1 \_x \textasciitilde{}y"),
        ("<MASK> a|b", r"\textless{}MASK\textgreater{} a\textbar{}b"),
        ("Counting \\& Finding", r"Counting \& Finding"),
        ("Broken } title {", r"Broken \textbraceright{} title \textbraceleft{}"),
        ("\\ECUAS{n}: metrics", r"\textbackslash{}ECUAS{n}: metrics"),
        ("\\textit{4DSurf} and \\textsc{CR}", r"\textit{4DSurf} and \textsc{CR}"),
    ],
)
def test_latex_text_escapes_specials_outside_math(title, expected):
    assert latex_text(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("S$^{3}$G", "S$^{3}$G"),
        ("Prism-$Δ$ and $α$-Fairness", r"Prism-$\Delta$ and $\alpha$-Fairness"),
        ("$αx + β$", r"$\alpha x + \beta$"),
        ("over $\\mathbb{Z}_{121}$", r"over $\mathbb{Z}_{121}$"),
        ("Geo$^\\textbf{2}$", r"Geo$^{\textbf{2}}$"),
        ("Resolution ($\\times$4)", r"Resolution ($\times$4)"),
        ("$\\frac{a}{\\langle u^t \\rangle}$", r"$\frac{a}{\langle u^t \rangle}$"),
    ],
)
def test_latex_text_keeps_math_that_compiles(title, expected):
    assert latex_text(title) == expected


@pytest.mark.parametrize("math", ["x^2^3", "x^", "x_", "\\undefined{x}", "\\frac{a}", "{x", "é"])
def test_math_that_would_not_compile_is_refused_and_written_as_text(math):
    assert math_latex(math) is None
    assert "$" not in latex_text(f"${math}$").replace(r"\$", "")


def test_unicode_becomes_latex_commands():
    assert latex_text("Émile Łukasz Şahin Nguyễn Thị í") == (
        r"{\'E}mile {\L}ukasz {\c{S}}ahin Nguy{\~{\^e}}n Th{\d{i}} {\'\i}"
    )
    assert latex_text("α-mixing at 360° — “quoted”") == (
        r"$\alpha$-mixing at 360\textdegree{} --- ``quoted''"
    )
    assert latex_text("张伟 🤗 ﬁne") == "fine"  # no glyph without packages: left out


def test_deep_nesting_is_written_without_deep_recursion():
    nested = ("{" * 5000 + "x" + "}" * 5000, "$" + "{" * 5000 + "x" + "}" * 5000 + "$")
    for text in (*nested, "$" + "\\frac" * 5000 + "$"):
        depths = bibtex_depths(latex_text(text))
        assert min(depths) >= 0 and depths[-1] == 0


def test_ams_commands_get_fallback_definitions():
    latex = latex_text("$\\mathbb{R}^d$ and $\\text{PKS}^4$ in \\textit{text}")
    assert ams_definitions(latex) == [
        r"\providecommand{\mathbb}[1]{\mathbf{#1}}",
        r"\providecommand{\text}[1]{\mbox{#1}}",
    ]


def test_ascii_fold_keeps_letters_only():
    assert ascii_fold("Émile") == "emile"
    assert ascii_fold("Łukasz-Øster") == "lukaszoster"
    assert ascii_fold("张伟") == ""


@given(st.text(max_size=80))
def test_latex_text_is_ascii_with_balanced_braces(text):
    latex = latex_text(text)
    assert latex.isascii() and latex.isprintable()
    depths = bibtex_depths(latex)
    assert all(depth >= 0 for depth in depths) and (not depths or depths[-1] == 0)
