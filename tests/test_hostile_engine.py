"""Hostile documents through the library (issue 12, items 3 and 7): absurd numbers,
publication dates at the ends of the calendar, documents of many megabytes."""

from __future__ import annotations

import pytest

from sahel_events import DocMeta, Extractor

# Our own sentences: a takeover with a death toll, and a siege in another sentence.
TAKEOVER = "واقتحم مسلحو جبهة تحرير أزواد بلدة تينزاواتين {when} في هجوم أسفر عن مقتل {toll} جنود."
SIEGE = "وفي تطور آخر، تفرض جماعة نصرة الإسلام والمسلمين حصارا خانقا على مدينة نيورو منذ أسابيع."


def _events(ex: Extractor, text: str, published: str) -> list[tuple[str, int | None, str | None]]:
    return [(e.rule_id, e.fatalities, e.event_date) for e in ex.extract(text, DocMeta("d", published=published))]


@pytest.mark.parametrize("toll", ["9" * 4301, "9" * 100_000, "12345678", "12,345,678"])
def test_an_absurd_digit_run_is_no_death_toll_and_loses_no_event(extractor: Extractor, toll: str) -> None:
    """4,301 digits once raised ValueError (Python's int() digit limit) and lost the document."""
    text = TAKEOVER.format(when="فجر أمس", toll=toll) + "\n" + SIEGE
    got = _events(extractor, text, "2025-11-05")
    assert got == [("advance.takeover", None, "2025-11-04"), ("blockade.siege", None, "2025-09-15")]


def test_a_toll_of_seven_digits_still_counts(extractor: Extractor) -> None:
    for toll, count in (("12", 12), ("1,234,567", 1234567), ("9999999", 9999999)):
        text = TAKEOVER.format(when="فجر أمس", toll=toll) + "\n" + SIEGE
        assert _events(extractor, text, "2025-11-05")[0] == ("advance.takeover", count, "2025-11-04")


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
    assert [(r, f) for r, f, _ in got] == [("advance.takeover", 12), ("blockade.siege", None)]
    for _, _, date in got:
        assert date is not None and "0001-01-01" <= date <= "9999-12-31"
