"""The whole-document anchor scan reports character offsets, whatever the text holds."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from sahel_events.scan import LiteralScanner, char_at, char_before, utf8

LITERALS = ["حصار", "حصارا", "سيطر", "استدعت", "ab", "b"]
# Arabic letters, ASCII, an astral character and a lone surrogate (a broken JSON escape)
# make UTF-8 widths of 1 to 4 bytes and a character that strict UTF-8 rejects.
PIECES = st.sampled_from([*LITERALS, "ح", "ص", "ا", "ر", " ", "a", "\n", "😀", "\ud800", "\u064e", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join), st.integers(0, 5))
def test_hits_are_literals_at_exact_character_offsets(text: str, skip: int) -> None:
    scanner = LiteralScanner(LITERALS)
    pos = min(skip, len(text))
    spans = scanner.spans(text, pos)
    ends = [e for _, e in spans]
    assert ends == sorted(ends)
    last = pos
    for s, e in spans:
        assert text[s:e] in LITERALS
        assert s >= last  # hits do not overlap and start at or after pos
        last = e
    found = [text.find(lit, pos) for lit in LITERALS]
    # Some literal occurs iff there is a hit; the first hit is the one that ends first.
    ends_all = [f + len(lit) for f, lit in zip(found, LITERALS, strict=True) if f >= 0]
    assert bool(spans) == bool(ends_all)
    if spans:
        assert spans[0][1] == min(ends_all)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_overlapping_hits_are_every_occurrence_of_every_literal(text: str) -> None:
    got = LiteralScanner(LITERALS).hits(text, overlapping=True)
    every = {(k, i, i + len(lit)) for k, lit in enumerate(LITERALS) for i in range(len(text)) if text.startswith(lit, i)}
    assert sorted(got) == sorted(every) and len(got) == len(every)
    assert [e for _, _, e in got] == sorted(e for _, _, e in got)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_characters_around_a_byte_offset(text: str) -> None:
    data = utf8(text)
    for i in range(len(text) + 1):
        b = len(utf8(text[:i]))
        assert char_before(data, b) == text[i - 1 : i]
        assert char_at(data, b) == text[i : i + 1]


def test_pickles_as_its_literals_and_scans_after() -> None:
    scanner = LiteralScanner(LITERALS)
    assert scanner.spans("فرضوا حصارا")  # the automaton is built
    again = pickle.loads(pickle.dumps(scanner))
    assert len(pickle.dumps(scanner)) < 200  # literals only, not the automaton
    assert again.patterns == scanner.patterns and len(again) == len(LITERALS)
    text = "😀 قال إن الجيش فرض حصارا على المدينة"
    assert again.spans(text) == scanner.spans(text)
    s, e = again.spans(text)[0]
    assert text[s:e] == "حصار"  # reported as soon as a literal ends


def test_no_literals_finds_nothing() -> None:
    assert LiteralScanner([]).spans("حصار") == [] and LiteralScanner([]).byte_hits(utf8("حصار")) == []
