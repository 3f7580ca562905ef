"""The tables behind latex.py: which LaTeX commands compile in a plain `article` document
(pdflatex, no packages), and LaTeX for Unicode characters. Data only.

Checked with Debian's texlive-latex-base: `\\k` (ogonek), `\\dj`, `\\th` and the guillemets exist
only in the T1 font encoding, so they are not used; `\\textdegree` and `\\texteuro` are.
"""

# ruff: noqa: RUF001  (the tables hold Greek and math letters that look like Latin ones on purpose)

from __future__ import annotations

# Combining marks (after NFD) -> accent command; "" drops a mark with no OT1 accent (ogonek).
COMBINING_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
    "\u0327": "c", "\u0328": "", "\u0331": "b",
}  # fmt: skip
ACCENT_COMMANDS = frozenset({"c", "v", "u", "H", "r", "d", "b", "t"})
TEXT_ARGUMENT_COMMANDS = frozenset({
    "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textup", "textsl", "textmd",
    "textnormal", "emph", "textsuperscript", "textsubscript", "underline", "mbox",
})  # fmt: skip
TEXT_SYMBOL_COMMANDS = frozenset({
    "ss", "ae", "AE", "oe", "OE", "o", "O", "l", "L", "aa", "AA", "i", "j", "S", "P",
    "copyright", "dag", "ddag", "pounds", "ldots", "dots", "LaTeX", "TeX", "textendash",
    "textemdash", "textbullet", "textdegree", "texteuro", "textregistered", "texttrademark",
    "textasciicircum", "textasciitilde", "textbackslash", "textbar", "textless", "textgreater",
    "textbraceleft", "textbraceright", "textunderscore", "slash",
})  # fmt: skip

# Non-ASCII characters in text mode (letters with accents go through COMBINING_ACCENTS).
TEXT_SYMBOLS = {
    "ß": r"{\ss}", "æ": r"{\ae}", "Æ": r"{\AE}", "œ": r"{\oe}", "Œ": r"{\OE}", "ø": r"{\o}",
    "Ø": r"{\O}", "ł": r"{\l}", "Ł": r"{\L}", "ı": r"{\i}", "ȷ": r"{\j}", "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ŋ": "ng", "Ŋ": "Ng", "ħ": "h", "Ħ": "H",
    "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "\u2002": " ", "\u2003": " ", "\u2007": " ",
    "\u2008": " ", "\u200a": " ", "\u3000": " ", "\u200b": "", "\u200c": "", "\u200d": "",
    "\u2060": "", "\ufeff": "", "\u00ad": "", "\u2010": "-", "\u2011": "-", "\u2012": "--",
    "\u2013": "--", "\u2014": "---", "\u2015": "---", "\u2018": "`", "\u2019": "'", "\u201a": ",",
    "\u201c": "``", "\u201d": "''", "\u201e": ",,", "\u2032": "'", "\u2033": "''",
    "\u2026": r"\ldots{}", "\u2022": r"\textbullet{}", "\u00b0": r"\textdegree{}",
    "\u00a7": r"\S{}", "\u00b6": r"\P{}", "\u00a9": r"\copyright{}", "\u00ae": r"\textregistered{}",
    "\u2122": r"\texttrademark{}", "\u00a3": r"\pounds{}", "\u20ac": r"\texteuro{}",
    "\u00b7": r"\textperiodcentered{}", "\u00ab": "<<", "\u00bb": ">>", "\u2039": "<",
    "\u203a": ">", "\u00bf": "?`", "\u00a1": "!`", "\u00b9": r"\textsuperscript{1}",
    "\u00b2": r"\textsuperscript{2}", "\u00b3": r"\textsuperscript{3}",
}  # fmt: skip

_GREEK = (
    "αalpha βbeta γgamma δdelta εvarepsilon ϵepsilon ζzeta ηeta θtheta ϑvartheta ιiota κkappa "
    "λlambda μmu µmu νnu ξxi πpi ϖvarpi ρrho ϱvarrho σsigma ςvarsigma τtau υupsilon φphi ϕphi "
    "χchi ψpsi ωomega ΓGamma ΔDelta ΘTheta ΛLambda ΞXi ΠPi ΣSigma ΥUpsilon ΦPhi ΨPsi ΩOmega"
)
_SYMBOLS = (
    "×times ÷div ±pm ∓mp ≤leq ≥geq ≠neq ≈approx ∼sim ≃simeq ≅cong ≡equiv ∝propto ≪ll ≫gg "
    "∞infty ∈in ∉notin ∋ni ⊂subset ⊆subseteq ⊃supset ⊇supseteq ∪cup ∩cap ∀forall ∃exists "
    "∂partial ∇nabla ∑sum ∏prod ∫int √surd →rightarrow ←leftarrow ↔leftrightarrow "
    "⇒Rightarrow ⇐Leftarrow ⇔Leftrightarrow ↑uparrow ↓downarrow ↦mapsto ∘circ ⊕oplus "
    "⊖ominus ⊗otimes ⊘oslash ⊙odot ∅emptyset ¬neg ∧wedge ∨vee ⟨langle ⟩rangle ℓell ℏhbar "
    "∗ast ⋆star †dagger ‡ddagger ⊥perp ∥parallel ∣mid ⊢vdash ⊤top ≺prec ≻succ ⪯preceq "
    "⪰succeq ∖setminus ⋅cdot ⋯cdots ℵaleph ℜRe ℑIm ∠angle △triangle ⌈lceil ⌉rceil "
    "⌊lfloor ⌋rfloor ℝmathbb{R} ℕmathbb{N} ℤmathbb{Z} ℚmathbb{Q} ℂmathbb{C} ↛nrightarrow "
    "⩽leqslant ⩾geqslant ≲lesssim ≳gtrsim ≜triangleq"
)
# Non-ASCII characters in math mode; in text mode they are written as `$...$`.
MATH_SYMBOLS = {
    entry[0]: "\\" + entry[1:] for entry in f"{_GREEK} {_SYMBOLS}".split()
} | {
    "\u2212": "-", "\u2032": "'", "\u00b7": r"\cdot", "\u2070": "^{0}", "\u00b9": "^{1}",
    "\u00b2": "^{2}", "\u00b3": "^{3}", "\u2074": "^{4}", "\u2075": "^{5}", "\u2076": "^{6}",
    "\u2077": "^{7}", "\u2078": "^{8}", "\u2079": "^{9}", "\u207a": "^{+}", "\u207b": "^{-}",
    "\u2080": "_{0}", "\u2081": "_{1}", "\u2082": "_{2}", "\u2083": "_{3}", "\u2084": "_{4}",
    "\u2085": "_{5}", "\u2086": "_{6}", "\u2087": "_{7}", "\u2088": "_{8}", "\u2089": "_{9}",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "ο": "o",
}  # fmt: skip

_KERNEL_SYMBOLS = (
    " ".join(entry[1:] for entry in _GREEK.split())
    + " epsilon Gamma varphi leq le geq ge neq ne approx sim simeq cong equiv propto ll gg"
    " subset subseteq supset supseteq in ni notin mid parallel perp prec succ preceq succeq"
    " asymp doteq models vdash dashv times div pm mp cdot circ bullet ast star oplus ominus"
    " otimes oslash odot cup cap wedge vee land lor setminus wr diamond triangleleft"
    " triangleright bigcirc dagger ddagger amalg to rightarrow leftarrow leftrightarrow"
    " Rightarrow Leftarrow Leftrightarrow mapsto longrightarrow longleftarrow Longrightarrow"
    " Longleftarrow longmapsto uparrow downarrow updownarrow Uparrow Downarrow hookrightarrow"
    " hookleftarrow rightharpoonup leftharpoonup gets iff infty partial nabla forall exists"
    " neg lnot emptyset ell hbar Re Im wp aleph prime angle triangle surd top bot flat natural"
    " sharp ldots cdots vdots ddots dots sum prod int oint bigcup bigcap bigoplus bigotimes"
    " bigodot biguplus bigvee bigwedge coprod langle rangle lceil rceil lfloor rfloor lbrace"
    " rbrace vert Vert backslash log ln exp sin cos tan sec csc cot sinh cosh tanh arcsin"
    " arccos arctan max min sup inf lim liminf limsup arg det dim ker deg gcd Pr hom quad"
    " qquad not limits nolimits displaystyle textstyle scriptstyle colon star smile frown"
    " cdotp ldotp imath jmath"
)
_KERNEL_ONE_ARGUMENT = (
    "hat bar tilde vec dot ddot check breve acute grave widehat widetilde overline underline"
    " overbrace underbrace mathrm mathbf mathit mathsf mathtt mathcal mathnormal sqrt textbf"
    " textit textrm texttt textsf textsc textup emph mbox"
)
# Math-mode commands of LaTeX itself -> number of arguments.
MATH_COMMANDS = (
    dict.fromkeys(_KERNEL_SYMBOLS.split(), 0)
    | dict.fromkeys(_KERNEL_ONE_ARGUMENT.split(), 1)
    | {"frac": 2, "stackrel": 2}
)

# amsmath/amssymb commands -> (arguments, a kernel-only fallback for @preamble)
AMS_COMMANDS: dict[str, tuple[int, str]] = {
    "mathbb": (1, r"\providecommand{\mathbb}[1]{\mathbf{#1}}"),
    "mathbbm": (1, r"\providecommand{\mathbbm}[1]{\mathbf{#1}}"),
    "mathds": (1, r"\providecommand{\mathds}[1]{\mathbf{#1}}"),
    "mathfrak": (1, r"\providecommand{\mathfrak}[1]{\mathrm{#1}}"),
    "mathscr": (1, r"\providecommand{\mathscr}[1]{\mathcal{#1}}"),
    "boldsymbol": (1, r"\providecommand{\boldsymbol}[1]{\mathbf{#1}}"),
    "bm": (1, r"\providecommand{\bm}[1]{\mathbf{#1}}"),
    "text": (1, r"\providecommand{\text}[1]{\mbox{#1}}"),
    "operatorname": (1, r"\providecommand{\operatorname}[1]{\mathrm{#1}}"),
    "binom": (2, r"\providecommand{\binom}[2]{{#1\choose#2}}"),
    "tfrac": (2, r"\providecommand{\tfrac}[2]{\frac{#1}{#2}}"),
    "dfrac": (2, r"\providecommand{\dfrac}[2]{\frac{#1}{#2}}"),
    "overset": (2, r"\providecommand{\overset}[2]{\stackrel{#1}{#2}}"),
    "nrightarrow": (0, r"\providecommand{\nrightarrow}{\not\rightarrow}"),
    "leqslant": (0, r"\providecommand{\leqslant}{\leq}"),
    "geqslant": (0, r"\providecommand{\geqslant}{\geq}"),
    "lesssim": (0, r"\providecommand{\lesssim}{\stackrel{<}{\sim}}"),
    "gtrsim": (0, r"\providecommand{\gtrsim}{\stackrel{>}{\sim}}"),
    "triangleq": (0, r"\providecommand{\triangleq}{\stackrel{\triangle}{=}}"),
    "varnothing": (0, r"\providecommand{\varnothing}{\emptyset}"),
    "implies": (0, r"\providecommand{\implies}{\Longrightarrow}"),
    "checkmark": (0, r"\providecommand{\checkmark}{\surd}"),
    "lvert": (0, r"\providecommand{\lvert}{|}"),
    "rvert": (0, r"\providecommand{\rvert}{|}"),
}


def math_arity(name: str) -> int | None:
    """How many arguments a math command takes; None when it is not known to compile."""
    if name in MATH_COMMANDS:
        return MATH_COMMANDS[name]
    if name in AMS_COMMANDS:
        return AMS_COMMANDS[name][0]
    return None
