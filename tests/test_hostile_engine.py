"""Hostile documents through the library (issue 12, items 3 and 7): absurd numbers,
publication dates at the ends of the calendar, documents of many megabytes."""

from __future__ import annotations

import pytest

from sahel_events import DocMeta, Extractor

# Our own sentences: a takeover with a death toll, and a siege in another sentence.
TAKEOVER = "واقتحم مسلحو جبهة تحرير أزواد بلدة تينزاواتين {when} في هجوم أسفر عن مقتل {toll} جنود."
SIEGE = "وفي تطور آخر، يحاصر مقاتلو جماعة نصرة الإسلام والمسلمين مدينة نيورو بشدة منذ أسابيع."


def _events(ex: Extractor, text: str, published: str) -> list[tuple[str, int | None, str | None]]:
    """(family, fatalities, date) of each event: the storming of the town (a battle), then the siege."""
    return [(e.family, e.fatalities, e.event_date) for e in ex.extract(text, DocMeta("d", published=published))]


@pytest.mark.parametrize("toll", ["9" * 4301, "9" * 100_000, "12345678", "12,345,678"])
def test_an_absurd_digit_run_is_no_death_toll_and_loses_no_event(extractor: Extractor, toll: str) -> None:
    """4,301 digits once raised ValueError (Python's int() digit limit) and lost the document."""
    text = TAKEOVER.format(when="فجر أمس", toll=toll) + "\n" + SIEGE
    got = _events(extractor, text, "2025-11-05")
    assert got == [("advance", None, "2025-11-04"), ("blockade", None, "2025-09-15")]


def test_a_toll_of_seven_digits_still_counts(extractor: Extractor) -> None:
    for toll, count in (("12", 12), ("1,234,567", 1234567), ("9999999", 9999999)):
        text = TAKEOVER.format(when="فجر أمس", toll=toll) + "\n" + SIEGE
        assert _events(extractor, text, "2025-11-05")[0] == ("advance", count, "2025-11-04")


@pytest.mark.parametrize("published", ["0001-01-01", "0001-01-03", "9999-12-31", "9999-12-28"])
@pytest.mark.parametrize(
    "when", ["فجر أمس", "أول أمس", "غدا", "الأسبوع الماضي", "الأسبوع المقبل", "الشهر الماضي", "الشهر المقبل",
             "العام الماضي", "العام المقبل", "قبل ثلاثة أيام", "منذ أسبوعين", "يوم الثلاثاء الماضي", "مطلع الشهر المقبل",
             "أواخر العام الماضي", "في 3 يناير", "في 30 ديسمبر"],
)  # fmt: skip
def test_a_date_beyond_the_calendar_resolves_to_nothing_and_loses_no_event(
    extractor: Extractor, published: str, when: str
) -> None:
    """«أمس» published 0001-01-01 once raised OverflowError and lost the document."""
    got = _events(extractor, TAKEOVER.format(when=when, toll="12") + "\n" + SIEGE, published)
    assert [(r, f) for r, f, _ in got] == [("advance", 12), ("blockade", None)]
    for _, _, date in got:
        assert date is not None and "0001-01-01" <= date <= "9999-12-31"


# -- a large document, window by window (item 7) ------------------------------------

import hashlib  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import sahel_events.extract as extract_module  # noqa: E402
import sahel_events.match as match_module  # noqa: E402
from sahel_events.text import cuts, windows  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# Event-free news of our own, to make a document large without making it slow.
FILLER = "وارتفعت أسعار الخضروات في الأسواق هذا الأسبوع بسبب قلة الأمطار، ويرى التجار أن الموسم المقبل أفضل."


def _samples(sep: str) -> str:
    return sep.join(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")))


def _records(events: list) -> list[dict]:  # type: ignore[type-arg]
    return [e.to_record() for e in events]


def _offsets_exact(text: str, records: list[dict]) -> None:  # type: ignore[type-arg]
    for r in records:
        ev = r["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["text"]
        for m in r["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of 1,500 characters for documents over 2,000: every sample is cut many times."""
    monkeypatch.setattr(extract_module, "LARGE", 2000)
    monkeypatch.setattr(extract_module, "WINDOW", 1500)


@pytest.mark.parametrize("sep", ["\n\n", " "])  # windows cut at line breaks; at sentence ends (one line)
@pytest.mark.parametrize("published", [None, "2025-11-05"])
def test_a_document_read_in_windows_gives_the_records_of_reading_it_whole(
    extractor: Extractor, small_windows: None, sep: str, published: str | None
) -> None:
    """Antecedents and missing actors in the sentences before a cut, the main country,
    the reference date and the merging of mentions are carried from window to window."""
    text = _samples(sep)
    meta = DocMeta("big", published=published)
    windowed = _records(extractor.extract(text, meta))
    assert len(windows(text, 1500)) > 10
    whole = extractor._whole(text, meta)
    if published:  # as extract() does: an event without a date of its own gets the publication date
        whole = [e if e.event_date else replace(e, event_date=published, time_precision=2) for e in whole]
    assert windowed == _records(whole)
    _offsets_exact(text, windowed)


def test_a_sentence_longer_than_half_a_window_is_cut_at_a_space_and_offsets_stay_exact(
    extractor: Extractor, small_windows: None
) -> None:
    """One enormous "sentence" (no line break, no sentence end): windows cut it at spaces.
    A match across a cut is lost; every evidence span is still the original's text."""
    text = _samples(" ").replace(".", "،").replace("؟", "،").replace("!", "،").replace("\n", " ")
    kinds = {kind for _, _, kind in cuts(text, 1500)}
    assert kinds == {"space", "end"}
    records = _records(extractor.extract(text, DocMeta("line", published="2025-11-05")))
    assert len(records) > 20
    _offsets_exact(text, records)


def test_text_without_any_space_is_cut_hard_without_failing(extractor: Extractor, small_windows: None) -> None:
    text = ("حصار" * 3000) + "\u064e" * 10 + "نيورو" * 800
    assert {kind for _, _, kind in cuts(text, 1500)} == {"hard", "end"}
    assert extractor.extract(text, DocMeta("blob")) == []


def test_no_structure_is_built_over_a_whole_large_document(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2 MiB document (the real window size): nothing is normalised, split or analysed
    over more than one window, and the records are those of reading it whole."""
    para = [p for p in _samples("\n").split("\n") if len(p) > 30]
    lines = [FILLER] * 60
    text = "\n".join(para[i % len(para)] if i % 100 == 0 else lines[i % 60] for i in range(2 * 2**20 // len(FILLER)))
    assert len(text) > extract_module.LARGE * 2
    seen: list[int] = []
    real_init = match_module.Document.__init__

    def spy(self, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(len(text))
        real_init(self, text, *args, **kwargs)

    real_normalize = extract_module.normalize
    monkeypatch.setattr(match_module.Document, "__init__", spy)
    monkeypatch.setattr(extract_module, "normalize", lambda t: seen.append(len(t)) or real_normalize(t))
    meta = DocMeta("big", published="2025-11-05")
    windowed = _records(extractor.extract(text, meta))
    assert seen and max(seen) <= extract_module.WINDOW
    assert sum(n for n in seen) >= 2 * len(text) - 10  # a first pass, then the windows
    monkeypatch.setattr(match_module.Document, "__init__", real_init)
    whole = [e if e.event_date else replace(e, event_date="2025-11-05", time_precision=2) for e in extractor._whole(text, meta)]
    assert windowed == _records(whole) and len(windowed) > 10


def test_a_large_document_without_metadata_keeps_its_content_hash(extractor: Extractor, small_windows: None) -> None:
    text = _samples("\n")
    ids = {e.doc_id for e in extractor.extract(text)}
    assert ids == {"stdin:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]}
