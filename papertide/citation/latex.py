"""Text for BibTeX fields that pdflatex + bibtex compile in a plain `article` document: ASCII
only, specials escaped, Unicode as LaTeX commands, `$math$` kept when it is math that compiles.
Pure: strings in, strings out.

Titles come from arXiv as LaTeX-ish text ("S$^{3}$G", "$\\mathbb{Z}_4$", "on $60 GPUs", "M^3").
A `$...$` pair is math by pandoc's rule (no space inside either `$`, no digit right after the
closing one when the math starts with a digit: "$5-$10"; https://pandoc.org/MANUAL.html#math)
and is kept only when it compiles (known commands, balanced, no double script); anything else
is written as text, so a title never breaks a document.
"""

from __future__ import annotations

import re
import unicodedata

from papertide.citation.latex_tables import (
    ACCENT_COMMANDS,
    AMS_COMMANDS,
    COMBINING_ACCENTS,
    MATH_SYMBOLS,
    TEXT_ARGUMENT_COMMANDS,
    TEXT_SYMBOL_COMMANDS,
    TEXT_SYMBOLS,
    math_arity,
)

TEXT_SPECIALS = {
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\\": r"\textbackslash{}",
}
KEPT_ESCAPES = frozenset("&%$#_,;!-/@")  # \& \% ... \, \- compile as they are in text
# BibTeX counts every brace, escaped or not, so a lone brace is written as a command
BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
MATH_BRACES = {"{": r"\lbrace", "}": r"\rbrace"}
BELOW_MARKS = frozenset("\u0323\u0327\u0328\u0331")  # dot, cedilla, ogonek, macron below
ACCENT_SYMBOLS = frozenset("'`^\"~=.")
MATH_ESCAPES = {"&": r"\&", "%": r"\%", "#": r"\#"}
MATH_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-=*/()[]<>|.,;:!?'@~\" "
)
MAX_GROUP_DEPTH = 32  # far beyond any real title; keeps the recursive scanners shallow
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SPACES = re.compile(r"\s+")


def latex_text(text: str) -> str:
    """`text` as LaTeX for a BibTeX field: ASCII, balanced braces, compilable."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return _SPACES.sub(" ", _Scanner(text).text(0)).strip()


def ams_definitions(latex: str) -> list[str]:
    """\\providecommand lines for the amsmath/amssymb commands `latex` uses (for a @preamble):
    a document that loads those packages keeps them, any other still compiles."""
    used = {name for name in _COMMAND.findall(latex) if name in AMS_COMMANDS}
    return [AMS_COMMANDS[name][1] for name in sorted(used)]


def ascii_fold(text: str) -> str:
    """Letters without accents, lower case, a-z only ("Émile" -> "emile", "Łukasz" -> "lukasz")."""
    letters = [TEXT_SYMBOLS.get(char, char) for char in text]
    folded = unicodedata.normalize("NFKD", "".join(letters)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", _COMMAND.sub(r"\1", folded).lower())


class _Scanner:
    """A recursive-descent pass over one field; `text` returns LaTeX for text mode."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0

    def text(self, depth: int) -> str:
        """Text up to the `}` that closes the current group (depth > 0) or the end."""
        source, out = self.source, list[str]()
        while self.position < len(source):
            char = source[self.position]
            if char == "}":
                if depth > 0:
                    return "".join(out)
                out.append(BRACES["}"])
                self.position += 1
            elif char == "{" and depth >= MAX_GROUP_DEPTH:  # hostile nesting: a literal brace
                out.append(BRACES["{"])
                self.position += 1
            elif char == "{":
                self.position += 1
                out.append(self.group(depth))
            elif char == "\\":
                out.append(self.command(depth))
            elif char == "$":
                out.append(self.math())
            elif char in TEXT_SPECIALS:
                out.append(TEXT_SPECIALS[char])
                self.position += 1
            else:
                out.append(char if char.isascii() and char.isprintable() else unicode_text(char))
                self.position += 1
        return "".join(out)

    def group(self, depth: int) -> str:
        """A `{...}` group (the `{` already read): kept when it closes, else an escaped brace."""
        inner = self.text(depth + 1)
        if self.position < len(self.source) and self.source[self.position] == "}":
            self.position += 1
            return "{" + inner + "}"
        return BRACES["{"] + inner

    def command(self, depth: int) -> str:
        """A backslash in text: known commands stay, anything else is printed as written."""
        source, start = self.source, self.position
        name = re.match(r"[A-Za-z]+", source[start + 1 :])
        if name is None:
            return self.control_symbol(depth)
        word = name[0]
        self.position = start + 1 + len(word)
        if word in TEXT_SYMBOL_COMMANDS:
            return f"\\{word}{{}}"
        if word in TEXT_ARGUMENT_COMMANDS or word in ACCENT_COMMANDS:
            after = self.position
            while self.position < len(source) and source[self.position] == " ":
                self.position += 1
            following = source[self.position : self.position + 1]
            if word in ACCENT_COMMANDS and following.isascii() and following.isalpha():
                self.position += 1
                return f"{{\\{word}{{{following}}}}}"
            if following == "{":
                self.position += 1
                argument = self.group(depth)
                if argument.startswith("{"):
                    return (
                        f"{{\\{word}{argument}}}"
                        if word in ACCENT_COMMANDS
                        else rf"\{word}{argument}"
                    )
                return rf"\textbackslash{{}}{word}{argument}"
            self.position = after
        return rf"\textbackslash{{}}{word}"

    def control_symbol(self, depth: int) -> str:
        """`\\&`, `\\%`, accents like `\\'e`; a lone or unknown one is printed as written."""
        source = self.source
        self.position += 2
        if self.position > len(source):
            return TEXT_SPECIALS["\\"]
        symbol = source[self.position - 1]
        if symbol in KEPT_ESCAPES:
            return "\\" + symbol
        if symbol in BRACES:
            return BRACES[symbol]
        if symbol == "\\" or symbol == " ":
            return " "
        if symbol in ACCENT_SYMBOLS and self.position < len(source):
            following = source[self.position]
            if following.isascii() and following.isalpha():
                self.position += 1
                return f"{{\\{symbol}{following}}}"
            if following == "{":
                self.position += 1
                argument = self.group(depth)
                return (
                    f"{{\\{symbol}{argument}}}"
                    if argument.startswith("{")
                    else rf"\{symbol}{{}}{argument}"
                )
        self.position -= 1
        return TEXT_SPECIALS["\\"]

    def math(self) -> str:
        """A `$...$` at the current `$`: kept when it is math that compiles, else `\\$`."""
        source, start = self.source, self.position
        end = _closing_dollar(source, start)
        if end is not None:
            converted = math_latex(source[start + 1 : end])
            if converted is not None:
                self.position = end + 1
                return f"${converted}$"
        self.position = start + 1
        return r"\$"


def _closing_dollar(source: str, start: int) -> int | None:
    """The `$` closing the one at `start` by pandoc's rule (no space inside either `$`), or
    None."""
    if start + 1 >= len(source) or source[start + 1] in " $":
        return None
    index = start + 1
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "$":
            # a digit after the closing `$` ends math only when the math does not start with
            # one: "$\\times$4" is math, "$5-$10" is money
            money = source[start + 1].isdigit() and source[index + 1 : index + 2].isdigit()
            return index if source[index - 1] != " " and not money else None
        index += 1
    return None


def math_latex(content: str) -> str | None:
    """Math-mode LaTeX for the inside of `$...$`, or None when it would not compile."""
    tokens = _math_tokens(content)
    if tokens is None or _nesting(tokens) > MAX_GROUP_DEPTH:
        return None
    checker = _MathChecker(tokens)
    if not checker.is_valid():
        return None
    joined = [
        token + " " if _is_command(token) and following[:1].isalpha() else token
        for token, following in zip(checker.tokens, [*checker.tokens[1:], ""], strict=True)
    ]
    return "".join(joined)


def _math_tokens(content: str) -> list[str] | None:
    """Commands, single characters and Unicode replaced by commands; None for anything
    unknown."""
    tokens: list[str] = []
    index = 0
    while index < len(content):
        char = content[index]
        if char == "\\":
            word = re.match(r"[A-Za-z]+", content[index + 1 :])
            if word is not None:
                if math_arity(word[0]) is None:
                    return None
                tokens.append("\\" + word[0])
                index += 1 + len(word[0])
                continue
            symbol = content[index + 1 : index + 2]
            if symbol not in set(",;:!{}|%#&_$ "):
                return None
            tokens.append(MATH_BRACES.get(symbol, "\\" + symbol))
            index += 2
            continue
        if char in "{}^_":
            tokens.append(char)
        elif char in MATH_ESCAPES:
            tokens.append(MATH_ESCAPES[char])
        elif char in MATH_PLAIN:
            tokens.append(char)
        elif char in MATH_SYMBOLS:
            tokens.extend(_math_symbol_tokens(MATH_SYMBOLS[char]))
        else:
            return None
        index += 1
    return tokens


def _math_symbol_tokens(latex: str) -> list[str]:
    """A symbol's replacement as tokens: `\\alpha` or `^{2}` ("{", "2", "}")."""
    if latex.startswith("\\"):
        return [latex]
    return list(latex)


class _MathChecker:
    """TeX's own complaints about inline math, checked ahead: unbalanced braces, a script
    without an argument, a double superscript or subscript, a command missing arguments."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.index = 0

    def is_valid(self) -> bool:
        return self.sequence(closing=False) and self.index == len(self.tokens)

    def sequence(self, closing: bool) -> bool:
        scripts: set[str] = set()
        while self.index < len(self.tokens):
            token = self.tokens[self.index]
            if token == "}":
                return closing
            if token in ("^", "_"):
                if token in scripts:
                    return False
                scripts.add(token)
                self.index += 1
                if not self.argument():
                    return False
                continue
            if token == "'" and "^" in scripts:
                return False
            if token != "'" and token != " ":
                scripts = set()
            if not self.atom():
                return False
        return not closing

    def atom(self) -> bool:
        token = self.tokens[self.index]
        self.index += 1
        if token == "{":
            if not self.sequence(closing=True):
                return False
            self.index += 1
            return True
        if not _is_command(token):
            return True
        if token == r"\sqrt" and self._at("[") and not self.optional():
            return False
        return all(self.argument() for _ in range(math_arity(token[1:]) or 0))

    def argument(self) -> bool:
        """One argument of a script or command; a command that takes arguments is braced
        (`^\\textbf{2}` -> `^{\\textbf{2}}`), as TeX wants one group there."""
        while self._at(" "):
            self.index += 1
        if self.index >= len(self.tokens) or self.tokens[self.index] in ("}", "^", "_"):
            return False
        token = self.tokens[self.index]
        if not _is_command(token) or not math_arity(token[1:]):
            return self.atom()
        self.tokens.insert(self.index, "{")
        self.index += 1
        if not self.atom():
            return False
        self.tokens.insert(self.index, "}")
        self.index += 1
        return True

    def optional(self) -> bool:
        """`[...]` after \\sqrt: up to the matching `]` at brace depth 0."""
        depth = 0
        while self.index < len(self.tokens):
            token = self.tokens[self.index]
            self.index += 1
            depth += {"{": 1, "}": -1}.get(token, 0)
            if depth < 0:
                return False
            if token == "]" and depth == 0:
                return True
        return False

    def _at(self, token: str) -> bool:
        return self.index < len(self.tokens) and self.tokens[self.index] == token


def _nesting(tokens: list[str]) -> int:
    """An upper bound of how deep the checker recurses: groups and commands with arguments."""
    return sum(
        token == "{" or (_is_command(token) and bool(math_arity(token[1:]))) for token in tokens
    )


def _is_command(token: str) -> bool:
    return token.startswith("\\") and token[1:].isalpha()


def unicode_text(char: str) -> str:
    """One non-ASCII character in text mode: a LaTeX command, accents as `{\\'e}`; characters
    LaTeX cannot show without extra packages (CJK, emoji) are left out."""
    if char in TEXT_SYMBOLS:
        return TEXT_SYMBOLS[char]
    if char in MATH_SYMBOLS:
        return f"${MATH_SYMBOLS[char]}$"
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and all(mark in COMBINING_ACCENTS for mark in marks):
        above = marks[0] not in BELOW_MARKS  # an accent above an i or j replaces its dot
        latex = {"i": r"\i", "j": r"\j"}.get(base, base) if above else base
        accents = [COMBINING_ACCENTS[mark] for mark in marks if COMBINING_ACCENTS[mark]]
        if not accents:
            return base
        for count, accent in enumerate(accents):  # \'e and \'\i, but \c{s} and \~{\^e}
            braced = accent.isalpha() or count > 0
            latex = f"\\{accent}{{{latex}}}" if braced else f"\\{accent}{latex}"
        return "{" + latex + "}"
    folded = unicodedata.normalize("NFKD", char)
    if folded.isascii() and folded.isprintable() and folded != char:
        return "".join(TEXT_SPECIALS.get(c, c) for c in folded if c not in "{}")
    return ""
