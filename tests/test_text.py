"""Normalisation keeps the way back to the original text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sahel_events import DocMeta
from sahel_events.text import _FULL, cuts, normalize, normalize_term, sentence_ends, sentence_spans, tokenize, windows


def test_letters_are_unified() -> None:
    assert normalize("أإآٱ ى ة ؤ ئ ی ک").text == "اااا ي ه ء ء ي ك"


def test_digits_become_ascii() -> None:
    assert normalize("٢٨/١٠/٢٠٢٥ و۱۲").text == "28/10/2025 و12"


def test_diacritics_tatweel_and_invisible_marks_are_dropped() -> None:
    assert normalize_term("حِصَـــاراً\u200f\u200b") == "حصارا"


def test_presentation_forms_expand_and_map_back() -> None:
    text = "ﻻ يزال ﷲ"
    n = normalize(text)
    assert n.text == "لا يزال الله"
    assert text[slice(*n.map.span(0, 2))] == "ﻻ"
    assert text[slice(*n.map.span(n.text.index("الله"), len(n.text)))] == "ﷲ"


def test_span_includes_trailing_diacritics_of_the_last_letter() -> None:
    text = "فرضت حصاراً على"
    n = normalize(text)
    s = n.text.index("حصارا")
    a, b = n.map.span(s, s + 5)
    assert text[a:b] == "حصاراً"


def test_sentences_do_not_split_decimals_or_initials() -> None:
    text = "ارتفع السعر 3.5 بالمئة. وقالت أ.ف.ب إن الوضع هادئ! هل انتهى؟"
    assert len(sentence_spans(normalize(text).text)) == 3


def test_tokens_are_words_and_numbers() -> None:
    assert [t.text for t in tokenize("قتل 12 جنديا، في 2025.")] == ["قتل", "12", "جنديا", "في", "2025"]


# Every character the table changes, next to plain letters, spaces and punctuation.
_ALPHABET = st.sampled_from(sorted({chr(c) for c in _FULL} | set("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ،.؟\n")))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=300).map("".join))
def test_normalisation_equals_translating_every_character(text: str) -> None:
    # Changed characters are found in two groups (frequent ones one by one, the
    # rest by one regex): neither may miss one, whatever the mix.
    assert normalize(text).text == text.translate(_FULL)


NOISE = st.sampled_from(["\u064e", "\u064b", "\u0651", "\u0640", "\u200f", "\u200b", "\u200e", "\u0652"])
SENTENCES = [
    "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع.",
    "وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس بعد معارك عنيفة.",
    "واستدعت وزارة الخارجية المالية السفير الجزائري في باماكو.",
]


def _sprinkle(text: str, picks: list[tuple[int, str]]) -> str:
    out = list(text)
    for pos, mark in sorted(picks, reverse=True):
        if 0 < pos < len(out) and out[pos - 1].isalpha():
            out.insert(pos, mark)
    return "".join(out)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SENTENCES), st.lists(st.tuples(st.integers(1, 80), NOISE), max_size=25))
def test_noise_gives_the_same_events_with_exact_offsets(extractor, sentence: str, picks) -> None:  # type: ignore[no-untyped-def]
    noisy = _sprinkle(sentence, picks)
    clean = [(e.family, e.actor1, e.location) for e in extractor.extract(sentence, DocMeta("d"))]
    events = extractor.extract(noisy, DocMeta("d"))
    assert clean, "the clean sentence must give an event"
    assert [(e.family, e.actor1, e.location) for e in events] == clean
    for e in events:
        r = e.to_record()
        assert noisy[r["evidence"]["start"] : r["evidence"]["end"]] == r["evidence"]["text"]
        for m in r["mentions"]:
            assert noisy[m["start"] : m["end"]] == m["text"]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SENTENCES))
def test_presentation_forms_give_the_same_events(extractor, sentence: str) -> None:  # type: ignore[no-untyped-def]
    # Lam-alef and alef-lam written as presentation-form ligatures.
    noisy = sentence.replace("لا", "\ufefb").replace("ال", "\ufe8d\ufedf")
    clean = [(e.family, e.actor1, e.location) for e in extractor.extract(sentence, DocMeta("d"))]
    events = extractor.extract(noisy, DocMeta("d"))
    assert [(e.family, e.actor1, e.location) for e in events] == clean
    for e in events:
        r = e.to_record()
        assert noisy[r["evidence"]["start"] : r["evidence"]["end"]] == r["evidence"]["text"]


_SENTENCE_BITS = st.sampled_from(["قال", "الجيش", " ", ".", ". ", "!", "؟", "\n", "\n\n", "3.5", "أ.ف.ب", "»", "..."])


@settings(max_examples=200, deadline=None)
@given(st.lists(_SENTENCE_BITS, max_size=40).map("".join), st.lists(st.integers(0, 200), max_size=8))
def test_sentences_split_on_demand_are_the_whole_split(rules, text: str, asks: list[int]) -> None:  # type: ignore[no-untyped-def]
    # A document splits sentences only as far as asked; whatever the order of the
    # questions, the answers are those of splitting the whole text at once.
    from bisect import bisect_right

    from sahel_events.match import Document

    doc = Document(text, rules)
    whole = sentence_spans(doc.norm.text)
    starts = [s for s, _ in whole]
    for pos in asks:
        assert doc.sentence_of(pos) == max(bisect_right(starts, pos) - 1, 0)
    for i in reversed(range(len(whole))):
        assert doc.span(i) == whole[i]


def _reference_to_orig(text: str) -> list[int]:
    """For every normalised character, the original character that produced it, found by
    translating one character at a time; the end maps to the original length."""
    out = []
    for k, ch in enumerate(text):
        rep = _FULL.get(ord(ch), ch)
        out += [k] * len(rep or "")
    return out + [len(text)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_ALPHABET, min_size=1, max_size=1200).map("".join),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=12),
)
def test_spans_map_back_as_translating_one_character_at_a_time(text: str, picks: list[tuple[float, float]]) -> None:
    # The map walks chunks of the original lazily and answers a span's three
    # positions in one walk: spans asked in any order, across chunk borders,
    # land where a character-by-character translation puts them.
    n = normalize(text)
    ref = _reference_to_orig(text)
    size = len(n.text)
    assert len(ref) == size + 1
    for x, y in picks:
        a, b = sorted((round(x * size), round(y * size)))
        got = n.map.span(a, b)
        s = ref[a]
        want = (s, s) if b <= a else (s, min(max(ref[b], ref[b - 1] + 1), len(text)))
        assert got == want, (a, b)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_ALPHABET, min_size=1, max_size=300).map("".join),
    st.integers(1, 400),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=12),
)
def test_spans_map_back_across_blocks_of_a_long_text(piece: str, times: int, picks: list[tuple[float, float]]) -> None:
    # The same over texts of up to 120,000 characters: checkpoints are counted a
    # block of 16 Ki characters at a time, and a block's chunks when asked.
    text = piece * times
    n = normalize(text)
    ref = _reference_to_orig(text)
    size = len(n.text)
    for x, y in picks:
        a, b = sorted((round(x * size), round(y * size)))
        s = ref[a]
        assert n.map.span(a, b) == ((s, s) if b <= a else (s, min(max(ref[b], ref[b - 1] + 1), len(text))))


# -- windows of a large document (issue 12, item 7) --------------------------------

_WINDOW_BITS = st.sampled_from(
    ["قال", "الجيش", "حِصَـار", " ", "  ", ".", ". ", "!", "؟", "\n", "\r\n", "3.5", "أ.ف.ب", "»", "...", " !.", "ﻻ", "\u200f"]
)


def _norm_offset(text: str, i: int) -> int:
    return len(normalize(text[:i]).text)  # normalisation is character by character


@settings(max_examples=300, deadline=None)
@given(st.lists(_WINDOW_BITS, max_size=80).map("".join), st.integers(4, 60))
def test_windows_cut_between_sentences_unless_one_is_half_a_window_long(text: str, size: int) -> None:
    """Windows cover the text in order, none longer than `size`; a cut at a line break
    or a sentence end leaves every sentence of the document as it was."""
    got = cuts(text, size)
    assert windows(text, size) == [(a, b) for a, b, _ in got]
    assert got[0][0] == 0 and got[-1][1] == len(text)
    assert all(a < b <= a + size for a, b, _ in got) or text == ""
    assert all(b == a2 for (_, b, _), (a2, _, _) in zip(got, got[1:], strict=False))
    norm = normalize(text).text
    whole = set(sentence_spans(norm))
    pieces = set()
    for a, b, _ in got:
        base = _norm_offset(text, a)
        pieces |= {(base + s, base + e) for s, e in sentence_spans(normalize(text[a:b]).text)}
    if all(kind in ("line", "sentence", "end") for _, _, kind in got):
        assert pieces == whole
    ends = {m.start() for m in sentence_ends(norm)}
    for a, b, kind in got:
        # What each kind says of the cut, and a cut inside a sentence only when the
        # second half of the window holds no line break, no sentence end, no space.
        second = text[a + size // 2 + 1 : b]
        assert {
            "line": text[b : b + 1] == "\n",
            "sentence": _norm_offset(text, b) in ends and "\n" not in second,
            "space": text[b : b + 1] in (" ", "\t") and "\n" not in second,
            "hard": b - a == size and not any(ch in " \t\n" for ch in second),
            "end": b == len(text),
        }[kind]


def test_windows_prefer_a_line_break_then_a_sentence_end_then_a_space() -> None:
    para = "قال الجيش إن الوضع هادئ. وأضاف أن الطريق مفتوح! "
    text = (para * 40 + "\n") * 3
    assert all(text[a] == "\n" for a, _ in windows(text, 3000)[1:])
    line = para * 120
    assert all(line[a] in ".!" for a, _ in windows(line, 3000)[1:])
    words = "قال الجيش إن الوضع هادئ " * 400
    assert all(words[a] == " " for a, _ in windows(words, 3000)[1:])
    blob = "ب" * 10_000
    assert windows(blob, 3000) == [(0, 3000), (3000, 6000), (6000, 9000), (9000, 10_000)]
