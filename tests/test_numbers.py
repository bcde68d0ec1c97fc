"""Death tolls and attribution tags (rules/lexicon/numbers.toml, attribution.toml)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sahel_events.errors import RuleError
from sahel_events.numbers import (
    Fatalities,
    NumberGrammar,
    find_fatalities,
    find_tags,
    load_number_grammar,
    total_fatalities,
)
from sahel_events.text import normalize

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = ROOT / "rules" / "lexicon" / "numbers.toml"
ATTRIBUTION = ROOT / "rules" / "lexicon" / "attribution.toml"


@pytest.fixture(scope="module")
def grammar() -> NumberGrammar:
    return load_number_grammar(NUMBERS, ATTRIBUTION)


def n(text: str) -> str:
    return normalize(text).text


# (text, total, counts in order, any vague)
FATALITIES: list[tuple[str, int | None, list[int], bool]] = [
    # digits, Arabic-Indic digits
    ("أعلن الجيش مقتل 12 جنديا في الهجوم.", 12, [12], False),
    ("أسفر الهجوم عن مقتل ١٢ جنديا.", 12, [12], False),
    ("قُتل ٧ مدنيين في القرية.", 7, [7], False),
    ("سقوط 14 قتيلا في اشتباكات.", 14, [14], False),
    ("لقي 5 أشخاص حتفهم في الانفجار.", 5, [5], False),
    ("قتل مسلحون مجهولون 12 مدنيا.", 12, [12], False),
    ("خلف الهجوم 1,200 قتيل.", 1200, [1200], False),
    # number words, masculine and feminine, compounds
    ("أسفر عن مقتل ثلاثة مدنيين.", 3, [3], False),
    ("مقتل ثلاث نساء وطفل.", 3, [3], False),
    ("مقتل خمسة وعشرين شخصا.", 25, [25], False),
    ("مقتل أحد عشر جنديا.", 11, [11], False),
    ("مقتل مئة وخمسة وعشرين شخصا.", 125, [125], False),
    ("خلفت المعارك ثلاثة آلاف قتيل.", 3000, [3000], False),
    ("مقتل أحد الجنود في كمين.", 1, [1], False),
    ("مقتل اثنين من الجنود.", 2, [2], False),
    ("ارتفعت حصيلة القتلى إلى ثلاثين.", 30, [30], False),
    # duals and singulars
    ("مقتل جنديين في انفجار لغم.", 2, [2], False),
    ("سقوط قتيلين في الهجوم.", 2, [2], False),
    ("مقتل جندي في كمين.", 1, [1], False),
    ("لقي جندي حتفه في الانفجار.", 1, [1], False),
    ("مقتل جندي واحد.", 1, [1], False),
    # vague words and approximations (ACLED: lowest reading)
    ("سقوط عشرات القتلى في الهجوم.", 10, [10], True),
    ("مقتل العشرات من المدنيين.", 10, [10], True),
    ("مقتل مئات المدنيين.", 100, [100], True),
    ("مقتل عدد من الجنود.", 3, [3], True),
    ("مقتل عدة مدنيين.", 3, [3], True),
    ("أسفر عن مقتل نحو 40 مدنيا.", 40, [40], True),
    ("سقط ما لا يقل عن 30 قتيلا.", 30, [30], True),
    ("مقتل أكثر من عشرين جنديا.", 20, [20], True),
    ("مقتل بين 10 و15 شخصا.", 10, [10], True),
    ("مقتل 10 إلى 15 شخصا.", 10, [10], True),
    # wounded never count; mixed figures count nothing
    ("قتل 7 جنود وإصابة 10 آخرين.", 7, [7], False),
    ("مقتل 12 جنديا وجرح 20 آخرين.", 12, [12], False),
    ("مقتل وإصابة 20 شخصا.", None, [], False),
    ("سقوط 20 قتيلا وجريحا.", None, [], False),
    ("سقوط 20 بين قتيل وجريح.", None, [], False),
    ("إصابة 10 جنود بجروح.", None, [], False),
    ("سقوط قتلى وجرحى.", None, [], False),
    # two separate counts
    ("مقتل 5 جنود و3 مدنيين.", 8, [5, 3], False),
    ("مقتل 3 جنود في كمين ومقتل 4 مدنيين في هجوم آخر.", 7, [3, 4], False),
    ("مقتل جندي و3 مدنيين.", 4, [1, 3], False),
    # numbers that are not death tolls
    ("نشرت فرنسا 2000 جندي في المنطقة.", None, [], False),
    ("وقع الهجوم على بعد 12 كيلومترا من المدينة.", None, [], False),
    ("مقتل 3 جنود على بعد 12 كيلومترا من المدينة.", 3, [3], False),
    ("قتل يوم 12 مارس جندي.", None, [], False),
    ("قتل في 3 هجمات.", None, [], False),
    ("مقتل جندي من بين 2000 جندي.", 1, [1], False),
    ("قتل الأحد 5 جنود.", 5, [5], False),
    # negation, denial, unknown
    ("لم يسفر الهجوم عن مقتل أي شخص.", None, [], False),
    ("نفى الجيش مقتل 20 جنديا.", None, [], False),
    ("سقوط قتلى في صفوف الجيش.", None, [], False),
    ("مقتل مدنيين في الهجوم.", None, [], False),
]


@pytest.mark.parametrize(("text", "total", "counts", "vague"), FATALITIES, ids=[r[0] for r in FATALITIES])
def test_fatalities(grammar: NumberGrammar, text: str, total: int | None, counts: list[int], vague: bool) -> None:
    t = n(text)
    found = find_fatalities(t, grammar)
    assert [f.count for f in found] == counts
    assert total_fatalities(found) == total
    assert any(f.vague for f in found) == vague
    for f in found:
        assert 0 <= f.start < f.end <= len(t)


def test_fatality_span_and_window(grammar: NumberGrammar) -> None:
    t = n("قال الجيش إن مقتل 12 جنديا وقع أمس. وأصيب 3 آخرون.")
    (f,) = find_fatalities(t, grammar)
    assert t[f.start : f.end] == "مقتل 12 جنديا"
    # Only the requested window is read.
    assert find_fatalities(t, grammar, f.end) == []
    assert find_fatalities(t, grammar, 0, f.start + 4) == []


def test_total_counts_one_span_once() -> None:
    a = Fatalities(5, 0, 10, False)
    assert total_fatalities([a, a, Fatalities(3, 12, 20, False)]) == 8
    assert total_fatalities([a, Fatalities(5, 2, 8, False)]) == 5
    assert total_fatalities([]) is None


TAGS: list[tuple[str, tuple[str, ...]]] = [
    ("وتبنت جماعة نصرة الإسلام والمسلمين رسميا مسؤوليتها عن الهجوم.", ("claimed by perpetrator",)),
    ("وتبنى تنظيم الدولة الهجوم عبر وكالة أعماق.", ("claimed by perpetrator",)),
    ("وقالت الجماعة في بيان نشرته على منصاتها إنها قتلت الجنود.", ("claimed by perpetrator",)),
    ("ونشرت وكالة الزلاقة صورا للهجوم.", ("claimed by perpetrator",)),
    ("ووقع الهجوم في منطقة تبنته الجماعة لاحقا.", ("claimed by perpetrator",)),
    ("وحمل الجيش الجماعة مسؤولية الهجوم.", ()),
    ("نفت الجماعة مسؤوليتها عن الهجوم.", ()),
    ("نفت الجماعة أن تكون قد تبنت الهجوم.", ()),
    ("لم تعلن أي جهة مسؤوليتها عن الهجوم.", ()),
    ("وقالت مصادر محلية إن المسلحين انسحبوا.", ("local sources",)),
    ("وأفاد سكان بأن الجيش وصل.", ("local sources",)),
    ("وذكر شهود عيان أن القرية أحرقت.", ("local sources",)),
    ("وقال الجيش المالي في بيان إن 12 مسلحا قتلوا.", ("official statement",)),
    ("وقال المتحدث باسم الحكومة إن الوضع تحت السيطرة.", ("official statement",)),
    ("قال مصدر أمني لوكالة فرانس برس.", ("security source",)),
    ("وأكدت مصادر عسكرية الخبر.", ("security source",)),
    ("ونقلت وكالة رويترز عن مصدر أمني أن الهجوم وقع ليلا.", ("media report", "security source")),
    ("وذكرت صحيفة محلية أن 5 قتلوا، وفق مصادر محلية.", ("local sources", "media report")),
    ("وصل الجيش إلى المدينة.", ()),
    ("تعيش في أعماق الصحراء قبائل رحل.", ()),
]


@pytest.mark.parametrize(("text", "tags"), TAGS, ids=[r[0] for r in TAGS])
def test_tags(grammar: NumberGrammar, text: str, tags: tuple[str, ...]) -> None:
    assert find_tags(n(text), grammar) == tags


def test_tags_read_only_the_window(grammar: NumberGrammar) -> None:
    t = n("قال مصدر أمني إن الهجوم وقع. وقالت مصادر محلية إن 5 قتلوا.")
    cut = t.index("وقالت")
    assert find_tags(t, grammar, 0, cut) == ("security source",)
    assert find_tags(t, grammar, cut) == ("local sources",)


def test_grammar_pickles(grammar: NumberGrammar) -> None:
    copy = pickle.loads(pickle.dumps(grammar))
    assert copy == grammar
    assert hash(copy) == hash(grammar)
    t = n("مقتل 5 جنود و3 مدنيين، حسب مصادر محلية.")
    assert find_fatalities(t, copy) == find_fatalities(t, grammar)
    assert find_tags(t, copy) == find_tags(t, grammar) == ("local sources",)


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "numbers.toml"
    bad.write_text('[cardinals]\n1 = ["واحد"]\n2 = ["اثنان" "اثنين"]\n3 = ["ثلاثة"]\n', encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_number_grammar(bad, ATTRIBUTION)
    (p,) = e.value.problems
    assert p.path.endswith("numbers.toml") and p.line == 3
    assert "numbers.toml:" in str(e.value)


def test_bad_values_are_all_reported_with_lines(tmp_path: Path) -> None:
    nums = tmp_path / "numbers.toml"
    nums.write_text(
        "[settings]\n"
        "forward_window = 99\n"
        "[cardinals]\n"
        'x = ["واحد"]\n'
        '3 = ["ثلاثة", "three"]\n'
        '4 = ["ثلاثة"]\n'
        "[death]\n"
        'before = ["مقتل"]\n'
        "[casualties]\n"
        'plural = ["جنديا"]\n'
        "[colours]\n"
        'red = ["أحمر"]\n',
        encoding="utf-8",
    )
    tags = tmp_path / "attribution.toml"
    tags.write_text(
        '[[tag]]\nname = "local sources"\npatterns = ["مصادر محلية"]\n[[tag]]\nname = "x"\npatterns = ["... بيان"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as e:
        load_number_grammar(nums, tags)
    lines = {(Path(p.path).name, p.line) for p in e.value.problems}
    assert ("numbers.toml", 2) in lines  # window out of range
    assert ("numbers.toml", 4) in lines  # key not a number
    assert ("numbers.toml", 5) in lines  # «three» is not Arabic
    assert ("numbers.toml", 6) in lines  # «ثلاثة» is both 3 and 4
    assert ("numbers.toml", 11) in lines  # unknown table
    assert ("attribution.toml", 6) in lines  # '...' at the start


def test_missing_file_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as e:
        load_number_grammar(tmp_path / "nope.toml", ATTRIBUTION)
    assert e.value.problems[0].line == 1


def test_listed_proclitics_are_exactly_those_the_patterns_accept() -> None:
    """Attribution and casualty words are looked up behind the proclitics the regexes
    allow; the two lists must not drift apart, or «وللقتلى» would be missed."""
    import itertools
    import re

    from sahel_events.numbers import _CLITIC, _CLITIC_FORMS

    letters = "وفبلكا"
    spelled = {"".join(p) for n in range(5) for p in itertools.product(letters, repeat=n)}
    accepted = {s for s in spelled if re.fullmatch(_CLITIC, s)}
    assert accepted == set(_CLITIC_FORMS)
