"""The one rule for the summary a paper shows (rank/extras.py)."""

from papertide.models import PaperSummary
from papertide.rank.extras import source_label, source_short, summary_to_show

HF = PaperSummary("2603.00001", "huggingface", "HF's sentence.", ("hf keyword",))
OURS = PaperSummary("2603.00001", "papertide", "Our sentence.", ("our keyword",))


def test_hugging_face_comes_first_whatever_the_order_given():
    assert summary_to_show([OURS, HF]) is HF
    assert summary_to_show([HF, OURS]) is HF


def test_ours_when_hugging_face_has_none_or_no_tldr():
    assert summary_to_show([OURS]) is OURS
    keywords_only = PaperSummary("2603.00001", "huggingface", None, ("hf keyword",))
    assert summary_to_show([keywords_only, OURS]) is OURS
    assert summary_to_show([keywords_only]) is keywords_only  # keywords are better than none


def test_nothing_to_show():
    empty = PaperSummary("2603.00001", "huggingface", None, ())
    assert summary_to_show([]) is None
    assert summary_to_show([empty]) is None
    assert summary_to_show([empty, OURS]) is OURS


def test_an_unknown_source_comes_after_the_known_ones_and_is_named():
    other = PaperSummary("2603.00001", "elsewhere", "Another sentence.", ())
    assert summary_to_show([other, OURS]) is OURS
    assert summary_to_show([other]) is other
    assert source_label("elsewhere") == "Summary from elsewhere"
    assert source_label("huggingface") == "Summary from Hugging Face"
    assert source_label("papertide") == "Summary by papertide (extractive)"
    assert (source_short("huggingface"), source_short("papertide")) == ("HF", "auto")
