"""Place spellings news uses resolve to the right town, country and region (admin1)."""

from __future__ import annotations

import pytest

from sahel_events import DocMeta
from sahel_events.match import Document, PlaceRef

PLACES = [
    # spelling, location, country, admin1
    ("كاي", "Kayes", "Mali", "Kayes"),
    ("كايس", "Kayes", "Mali", "Kayes"),
    ("نيورو", "Nioro du Sahel", "Mali", "Kayes"),
    ("نيورو الساحل", "Nioro du Sahel", "Mali", "Kayes"),
    ("ديما", "Diema", "Mali", "Kayes"),
    ("كولوكاني", "Kolokani", "Mali", "Koulikoro"),
    ("نارا", "Nara", "Mali", "Koulikoro"),
    ("سيغو", "Segou", "Mali", "Segou"),
    ("نيونو", "Niono", "Mali", "Segou"),
    ("موبتي", "Mopti", "Mali", "Mopti"),
    ("سيفاري", "Sevare", "Mali", "Mopti"),
    ("دوينتزا", "Douentza", "Mali", "Mopti"),
    ("بوني", "Boni", "Mali", "Mopti"),
    ("هومبوري", "Hombori", "Mali", "Mopti"),
    ("ديافارابي", "Diafarabe", "Mali", "Mopti"),
    ("تمبكتو", "Timbuktu", "Mali", "Tombouctou"),
    ("تنبكتو", "Timbuktu", "Mali", "Tombouctou"),
    ("غاو", "Gao", "Mali", "Gao"),
    ("جاو", "Gao", "Mali", "Gao"),
    ("أنسونغو", "Ansongo", "Mali", "Gao"),
    ("ميناكا", "Menaka", "Mali", "Menaka"),
    ("كيدال", "Kidal", "Mali", "Kidal"),
    ("أغيلهوك", "Aguelhok", "Mali", "Kidal"),
    ("تيساليت", "Tessalit", "Mali", "Kidal"),
    ("تين زواتين", "Tinzaouaten", "Mali", "Kidal"),
    ("باماكو", "Bamako", "Mali", "Bamako"),
    ("واغادوغو", "Ouagadougou", "Burkina Faso", "Centre"),
    ("واجادوجو", "Ouagadougou", "Burkina Faso", "Centre"),
    ("جيبو", "Djibo", "Burkina Faso", "Sahel"),
    ("دجيبو", "Djibo", "Burkina Faso", "Sahel"),
    ("دوري", "Dori", "Burkina Faso", "Sahel"),
    ("واهيغويا", "Ouahigouya", "Burkina Faso", "Nord"),
    ("كايا", "Kaya", "Burkina Faso", "Centre-Nord"),
    ("فادا نغورما", "Fada N'gourma", "Burkina Faso", "Est"),
    ("دياباغا", "Diapaga", "Burkina Faso", "Est"),
    ("بوبو ديولاسو", "Bobo-Dioulasso", "Burkina Faso", "Hauts-Bassins"),
    ("نيامي", "Niamey", "Niger", "Niamey"),
    ("تيلابيري", "Tillaberi", "Niger", "Tillaberi"),
    ("والام", "Ouallam", "Niger", "Tillaberi"),
    ("أبالا", "Abala", "Niger", "Tillaberi"),
    ("أغاديس", "Agadez", "Niger", "Agadez"),
    ("أغاديز", "Agadez", "Niger", "Agadez"),
    ("ديفا", "Diffa", "Niger", "Diffa"),
    ("بوسو", "Bosso", "Niger", "Diffa"),
    ("تمنراست", "Tamanrasset", "Algeria", "Tamanrasset"),
    ("باسيكونو", "Bassikounou", "Mauritania", "Hodh Ech Chargui"),
    ("مالانفيل", "Malanville", "Benin", "Alibori"),
]


def _place(rules, sentence: str) -> PlaceRef:  # type: ignore[no-untyped-def]
    doc = Document(sentence, rules)
    places = doc.sentence(0).places
    assert places, f"no place found in «{sentence}»"
    ref = places[0].ref
    assert isinstance(ref, PlaceRef)
    return ref


@pytest.mark.parametrize("spelling, location, country, admin1", PLACES)
def test_spelling_resolves(rules, spelling: str, location: str, country: str, admin1: str) -> None:  # type: ignore[no-untyped-def]
    ref = _place(rules, f"ووقعت اشتباكات عنيفة في مدينة {spelling} صباح اليوم.")
    got = rules.places[ref.place]
    assert (ref.name, ref.country, got.admin1) == (location, country, admin1)
    assert got.latitude is not None and got.longitude is not None


def test_clitics_before_a_place(rules) -> None:  # type: ignore[no-untyped-def]
    assert _place(rules, "ووصل الوفد إلى بباماكو أمس.").name == "Bamako"
    assert _place(rules, "وعاد الهدوء لكيدال بعد المعارك.").name == "Kidal"


def test_niger_is_not_nigeria(rules) -> None:  # type: ignore[no-untyped-def]
    assert _place(rules, "وأغلقت السلطات الحدود مع النيجر.").name == "Niger"
    assert _place(rules, "وأغلقت السلطات الحدود مع نيجيريا.").name == "Nigeria"


def test_seed_fields_for_an_analyst(extractor) -> None:  # type: ignore[no-untyped-def]
    """Issue 3 on the shared seed article: dates, country codes, coordinates."""
    from .conftest import SEED

    path = SEED / "mali-bamako-us.txt"
    if not path.exists():
        pytest.skip("../shared/corpus/seed is not beside this checkout")
    recs = [e.to_record() for e in extractor.extract(path.read_text(encoding="utf-8"), DocMeta("seed", "2025-11-05"))]
    assert recs and all(r["country"] == "Mali" and r["iso"] == 466 for r in recs)
    blockade = [r for r in recs if r["family"] == "blockade"]
    assert blockade and blockade[0]["event_date"].startswith("2025-09") and blockade[0]["time_precision"] == 3
    advance = [r for r in recs if r["family"] == "advance" and r["location"] == "Bamako"]
    assert advance and advance[0]["geo_precision"] in (1, 2)
    assert abs(advance[0]["latitude"] - 12.65) < 0.1 and abs(advance[0]["longitude"] + 8.0) < 0.1
