"""Date expressions: rules/lexicon/dates.toml + sahel_events/dates.py."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sahel_events.dates import DateGrammar, default_dates_path, find_dates, latest_explicit_date, load_date_grammar
from sahel_events.errors import RuleError
from sahel_events.text import normalize

WED = dt.date(2025, 11, 5)  # a Wednesday
JAN = dt.date(2025, 1, 10)  # a Friday, for year wrap


@pytest.fixture(scope="module")
def grammar() -> DateGrammar:
    return load_date_grammar(default_dates_path())


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def day(s: str, since: bool = False) -> tuple[dt.date, dt.date, int, bool]:
    return D(s), D(s), 1, since


def rng(lo: str, hi: str, precision: int, since: bool = False) -> tuple[dt.date, dt.date, int, bool]:
    return D(lo), D(hi), precision, since


Row = tuple[str, dt.date | None, list[tuple[dt.date, dt.date, int, bool]]]

TABLE: list[Row] = [
    # explicit dates, words and digits
    ("الثلاثاء 28 أكتوبر 2025", WED, [day("2025-10-28")]),
    ("هاجم مسلحون القرية في 28 أكتوبر", WED, [day("2025-10-28")]),
    ("قتل خمسة جنود في 28 ديسمبر", WED, [day("2024-12-28")]),  # after ref's day-month: previous year
    ("وقع الهجوم في 28 ديسمبر", JAN, [day("2024-12-28")]),
    ("وقع الهجوم في ٢٨/١٠/٢٠٢٥", WED, [day("2025-10-28")]),
    ("2025/10/28", WED, [day("2025-10-28")]),
    ("28-10-2025", WED, [day("2025-10-28")]),
    ("الخميس، 30 أكتوبر/تشرين الأول 2025", WED, [day("2025-10-30")]),
    ("في الأول من نوفمبر", WED, [day("2025-11-01")]),
    ("يوم 3 من شهر نوفمبر الجاري", WED, [day("2025-11-03")]),
    ("في أكتوبر 2025", WED, [rng("2025-10-01", "2025-10-31", 3)]),
    ("في أكتوبر", WED, [rng("2025-10-01", "2025-10-31", 3)]),
    ("أكتوبر الماضي", WED, [rng("2025-10-01", "2025-10-31", 3)]),
    ("نوفمبر الماضي", WED, [rng("2024-11-01", "2024-11-30", 3)]),  # ref's own month: a year back
    ("ديسمبر الماضي", JAN, [rng("2024-12-01", "2024-12-31", 3)]),
    ("الشهر الماضي", WED, [rng("2025-10-01", "2025-10-31", 3)]),
    ("الشهر الماضي", JAN, [rng("2024-12-01", "2024-12-31", 3)]),
    ("هذا الشهر", WED, [rng("2025-11-01", "2025-11-30", 3)]),
    ("العام الماضي", WED, [rng("2024-01-01", "2024-12-31", 3)]),
    ("السنة الماضية", WED, [rng("2024-01-01", "2024-12-31", 3)]),
    ("في 2017", WED, [rng("2017-01-01", "2017-12-31", 3)]),
    ("عام 2017", WED, [rng("2017-01-01", "2017-12-31", 3)]),
    ("عام 1948", WED, [rng("1948-01-01", "1948-12-31", 3)]),
    ("منذ حرب 1973", WED, [rng("1973-01-01", "1973-12-31", 3)]),  # bare year in 1950–2099
    # Levantine months
    ("في 3 تشرين الثاني 2025", WED, [day("2025-11-03")]),
    ("كانون الثاني الماضي", WED, [rng("2025-01-01", "2025-01-31", 3)]),
    ("في 2 شباط", JAN, [day("2024-02-02")]),
    ("15 آب 2024", WED, [day("2024-08-15")]),
    ("أيار الماضي", WED, [rng("2025-05-01", "2025-05-31", 3)]),
    ("في شهر آذار", WED, [rng("2025-03-01", "2025-03-31", 3)]),
    ("أغسطس/آب الماضي", WED, [rng("2025-08-01", "2025-08-31", 3)]),
    # Maghrebi months
    ("12 جويلية 2024", WED, [day("2024-07-12")]),
    ("في شهر جوان", WED, [rng("2025-06-01", "2025-06-30", 3)]),
    ("3 ماي", WED, [day("2025-05-03")]),
    ("أوت 2023", WED, [rng("2023-08-01", "2023-08-31", 3)]),
    ("20 شتنبر 2025", WED, [day("2025-09-20")]),
    ("5 دجنبر 2024", WED, [day("2024-12-05")]),
    ("نونبر الماضي", WED, [rng("2024-11-01", "2024-11-30", 3)]),
    ("يوليوز 2025 و9 أفريل 2025", WED, [rng("2025-07-01", "2025-07-31", 3), day("2025-04-09")]),
    ("مارس 2024", WED, [rng("2024-03-01", "2024-03-31", 3)]),
    # weekdays
    ("يوم الثلاثاء", WED, [day("2025-11-04")]),
    ("الثلاثاء الماضي", WED, [day("2025-11-04")]),
    ("الأربعاء", WED, [day("2025-11-05")]),  # ref itself
    ("الأربعاء الماضي", WED, [day("2025-10-29")]),  # «الماضي» on the same weekday: a week back
    ("مساء الأحد", WED, [day("2025-11-02")]),
    ("فجر الجمعة", WED, [day("2025-10-31")]),
    ("والسبت", JAN, [day("2025-01-04")]),
    # relative days, weeks, months
    ("اليوم", WED, [day("2025-11-05")]),
    ("أمس", WED, [day("2025-11-04")]),
    ("بالأمس", WED, [day("2025-11-04")]),
    ("صباح أمس", WED, [day("2025-11-04")]),
    ("أول أمس", WED, [day("2025-11-03")]),
    ("أمس الأول", WED, [day("2025-11-03")]),
    ("الأسبوع الماضي", WED, [rng("2025-10-27", "2025-11-02", 2)]),
    ("الأسبوع الماضي", JAN, [rng("2024-12-30", "2025-01-05", 2)]),
    ("قبل ثلاثة أيام", WED, [day("2025-11-02")]),
    ("قبل يومين", WED, [day("2025-11-03")]),
    ("قبل 5 أيام", WED, [day("2025-10-31")]),
    ("منذ ثلاثة أيام", WED, [day("2025-11-02", since=True)]),
    ("منذ أسبوعين", WED, [rng("2025-10-20", "2025-10-26", 2, since=True)]),
    ("منذ نحو شهر", WED, [rng("2025-10-01", "2025-10-31", 3, since=True)]),
    ("منذ شهرين", JAN, [rng("2024-11-01", "2024-11-30", 3, since=True)]),
    ("قبل أيام", WED, [rng("2025-10-29", "2025-11-03", 2)]),
    ("تعتمد منذ أشهر على استهداف", WED, [rng("2025-04-01", "2025-09-30", 3, since=True)]),
    # parts of a month or a year
    ("مطلع سبتمبر", WED, [rng("2025-09-01", "2025-09-10", 2)]),
    ("بداية سبتمبر", WED, [rng("2025-09-01", "2025-09-10", 2)]),
    ("منتصف أكتوبر", WED, [rng("2025-10-11", "2025-10-20", 2)]),
    ("أواخر فبراير", WED, [rng("2025-02-21", "2025-02-28", 2)]),
    ("نهاية أكتوبر 2024", WED, [rng("2024-10-21", "2024-10-31", 2)]),
    ("أواخر ديسمبر", JAN, [rng("2024-12-21", "2024-12-31", 2)]),
    ("مطلع الشهر", WED, [rng("2025-11-01", "2025-11-10", 2)]),
    ("منتصف الشهر الماضي", WED, [rng("2025-10-11", "2025-10-20", 2)]),
    ("نهاية العام الماضي", WED, [rng("2024-10-01", "2024-12-31", 3)]),
    # since
    ("منذ سبتمبر الماضي", WED, [rng("2025-09-01", "2025-09-30", 3, since=True)]),
    ("منذ 2022", WED, [rng("2022-01-01", "2022-12-31", 3, since=True)]),
    ("منذ مطلع العام", WED, [rng("2025-01-01", "2025-03-31", 3, since=True)]),
    ("منذ عام 2012", WED, [rng("2012-01-01", "2012-12-31", 3, since=True)]),
    # not dates, or not relative to the reference date
    ("قال إن آب العائلة قتل", WED, []),  # father
    ("وزار آب ابنه في السجن", WED, []),
    ("تطبيق ماي فودافون", WED, []),  # «ماي» another sense
    ("مارس الضغط على الحكومة", WED, []),  # the verb
    ("مارس الجيش ضغوطا", WED, []),
    ("صادرت سيارة نيسان", WED, []),
    ("قتل 2000 شخص", WED, []),
    ("قتل نحو 2015 مدنيا", WED, []),
    ("نشر أكثر من 1990 جنديا", WED, []),
    ("في 2000 موقع", WED, []),
    ("الرقم 1500", WED, []),  # bare number below 1950
    ("حرب 1948", WED, []),
    ("في اليوم التالي", WED, []),
    ("منذ شهر رمضان", WED, []),
    ("قبل ثلاثة أيام من الهجوم", WED, []),  # counts from the attack
    ("قبل يوم الثلاثاء", WED, [day("2025-11-04")]),  # «قبل يوم» is not «a day ago» here
    ("قبل عام 2020", WED, [rng("2020-01-01", "2020-12-31", 3)]),
    # no reference date: only written years resolve
    ("أمس", None, []),
    ("الثلاثاء الماضي", None, []),
    ("28 أكتوبر", None, []),
    ("الشهر الماضي", None, []),
    ("قبل ثلاثة أيام", None, []),
    ("28 أكتوبر 2025", None, [day("2025-10-28")]),
    ("منذ 2022", None, [rng("2022-01-01", "2022-12-31", 3, since=True)]),
]


@pytest.mark.parametrize(("text", "ref", "expected"), TABLE, ids=[f"{i}:{r[0]}" for i, r in enumerate(TABLE)])
def test_table(grammar: DateGrammar, text: str, ref: dt.date | None, expected: list[tuple[dt.date, dt.date, int, bool]]) -> None:
    norm = normalize(text).text
    got = [(m.lo, m.hi, m.precision, m.since) for m in find_dates(norm, grammar, ref)]
    assert got == expected


def test_table_size() -> None:
    assert len(TABLE) >= 45


@pytest.mark.parametrize(
    ("text", "span", "explicit"),
    [
        ("أعلن الجيش الثلاثاء 28 أكتوبر 2025 مقتل", "الثلاثاء 28 اكتوبر 2025", True),
        ("وقع ذلك في 28 أكتوبر الماضي حسب", "28 اكتوبر الماضي", False),
        ("وتفرض الجماعة منذ سبتمبر الماضي حصارا", "منذ سبتمبر الماضي", False),
        ("قتل منذ 2022 آلاف", "منذ 2022", True),
        ("وقال مساء الأحد إن", "مساء الاحد", False),
        ("في عام 2017 وقعت", "عام 2017", True),
    ],
)
def test_span_and_explicit_year(grammar: DateGrammar, text: str, span: str, explicit: bool) -> None:
    norm = normalize(text).text
    (m,) = find_dates(norm, grammar, WED)
    assert norm[m.start : m.end] == span
    assert m.explicit_year is explicit


def test_window(grammar: DateGrammar) -> None:
    norm = normalize("هجوم أمس. وفي 28 أكتوبر 2025 هجوم آخر").text
    cut = norm.index(".")
    got = find_dates(norm, grammar, WED, cut, None)
    assert [(norm[m.start : m.end], m.lo) for m in got] == [("28 اكتوبر 2025", D("2025-10-28"))]
    assert [m.lo for m in find_dates(norm, grammar, WED, 0, cut)] == [D("2025-11-04")]


def test_latest_explicit_date(grammar: DateGrammar) -> None:
    def latest(s: str) -> dt.date | None:
        return latest_explicit_date(normalize(s).text, grammar)

    assert latest("في أكتوبر 2025 و28/9/2025 ومنذ 2022 وأمس") == D("2025-10-31")
    assert latest("هجوم 3 نوفمبر 2025 بعد معارك في 2024") == D("2025-11-03")
    assert latest("منذ 2022") == D("2022-12-31")
    assert latest("أمس الأول وقع الهجوم في 28 أكتوبر") is None


def test_pickle(grammar: DateGrammar) -> None:
    again = pickle.loads(pickle.dumps(grammar))
    assert again == grammar
    norm = normalize("منذ سبتمبر الماضي").text
    assert find_dates(norm, again, WED) == find_dates(norm, grammar, WED)


def test_broken_file(tmp_path: Path) -> None:
    text = default_dates_path().read_text(encoding="utf-8")
    text = text.replace("number = 12\n", "number = 13\n", 1)
    text = text.replace("[[weekday]]\nnumber = 4\n", "[[weekday]]\nnumber = 4\ncolour = 'red'\n", 1)
    bad = tmp_path / "dates.toml"
    bad.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    with pytest.raises(RuleError) as err:
        load_date_grammar(bad)
    problems = err.value.problems
    by_msg = {p.message: p for p in problems}
    month = next(p for p in problems if "'number'" in p.message)
    assert month.path == str(bad) and "13" in month.message
    assert lines[month.line - 1].strip() == "number = 13"
    unknown = by_msg["unknown key 'colour'"]
    assert lines[unknown.line - 1].startswith("colour")
    assert any(p.message == "no [[month]] with number = 12" for p in problems)
    assert f"{bad}:{unknown.line}: unknown key 'colour'" in str(err.value)


def test_broken_syntax(tmp_path: Path) -> None:
    bad = tmp_path / "dates.toml"
    bad.write_text('[words]\nsince = ["منذ"\n', encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_date_grammar(bad)
    assert err.value.problems[0].path == str(bad)
    assert "TOML syntax" in err.value.problems[0].message


def test_duplicate_name(tmp_path: Path) -> None:
    text = default_dates_path().read_text(encoding="utf-8")
    text = text.replace('names = ["فبراير", "شباط"', 'names = ["فبراير", "سبتمبر", "شباط"', 1)
    bad = tmp_path / "dates.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_date_grammar(bad)
    (p,) = err.value.problems
    assert "سبتمبر" in p.message
    assert "سبتمبر" in text.splitlines()[p.line - 1]


_DATE_BITS = st.sampled_from(
    ["في", "عام", "2024", "2025", "2023", "1999", "2099", "أكتوبر", "مطلع", "الثلاثاء", "28", "3", "من", "منذ", "قبل",
     "12/10/2025", "2025-01-30", "نحو", "شخص", "الماضي", "م", "،", ".", "/", "كانون الثاني", "\n", "قال", "الجيش", "2025م"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_DATE_BITS, max_size=300).map(" ".join), st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)))
def test_the_latest_date_above_a_floor_reads_only_years_that_could_beat_it(grammar: DateGrammar, text: str, floor: dt.date) -> None:
    """A large document's windows after the first look only near years from the latest
    date so far on: the later of that and the floor is the whole reading's."""
    text = normalize(text).text
    whole = latest_explicit_date(text, grammar)
    got = latest_explicit_date(text, grammar, floor)
    assert max(got or floor, floor) == max(whole or floor, floor)
