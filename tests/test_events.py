"""One record per event: mentions merge, places split, ids are stable."""

from __future__ import annotations

import pickle

from sahel_events import DocMeta, Extractor


def test_mentions_of_one_event_merge(extractor) -> None:  # type: ignore[no-untyped-def]
    text = (
        "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو. "
        "ويعاني السكان من نقص الغذاء. "
        "ويتواصل حصار الجماعة لمدينة نيورو منذ أسابيع."
    )
    evs = extractor.extract(text, DocMeta("d", "2025-11-05"))
    assert len(evs) == 1
    rec = evs[0].to_record()
    assert len(rec["mentions"]) == 2
    assert rec["location"] == "Nioro du Sahel"


def test_one_act_at_two_places_is_two_events(extractor) -> None:  # type: ignore[no-untyped-def]
    text = "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينتي كاي ونيورو."
    evs = extractor.extract(text, DocMeta("d"))
    assert sorted(e.location for e in evs) == ["Kayes", "Nioro du Sahel"]
    assert len({e.event_id for e in evs}) == 2


def test_event_id_depends_on_the_event_not_the_document(extractor) -> None:  # type: ignore[no-untyped-def]
    text = "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو."
    a = extractor.extract(text, DocMeta("one.txt"))
    b = extractor.extract("مقدمة قصيرة. " + text, DocMeta("other/two.txt"))
    assert [e.event_id for e in a] == [e.event_id for e in b]


def test_compiled_rules_pickle_and_give_the_same_events(rules) -> None:  # type: ignore[no-untyped-def]
    text = "وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس."
    clone = pickle.loads(pickle.dumps(rules))
    a = [e.to_record() for e in Extractor(rules).extract(text, DocMeta("d"))]
    b = [e.to_record() for e in Extractor(clone).extract(text, DocMeta("d"))]
    assert a == b and a


def test_common_words_are_not_places(extractor) -> None:  # type: ignore[no-untyped-def]
    evs = extractor.extract("وأعلنت الحكومة المالية فرض حصار على مدينة نيورو بعد تقديم دعم مالي للميليشيات.", DocMeta("d"))
    assert all(e.location != "Mali" for e in evs)
    sons = extractor.extract("وسيطر المسلحون على مدرسة البنين في بلدة ديافارابي.", DocMeta("d"))
    assert all(e.country != "Benin" for e in sons)


def test_speakers_resolve_to_their_government(extractor) -> None:  # type: ignore[no-untyped-def]
    evs = extractor.extract("وأشاد نائب وزير الخارجية الأميركي بجهود الحكومة المالية.", DocMeta("d"))
    assert [e.actor1 for e in evs] == ["Government of the United States (2025-)"]
    evs = extractor.extract("وأجرى وزير خارجية مالي اتصالا هاتفيا مع نظيره الجزائري.", DocMeta("d"))
    assert [e.actor1 for e in evs] == ["Government of Mali (2021-)"]
