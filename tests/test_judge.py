"""Cues stop only the trigger they govern; true events stand beside false ones."""

from __future__ import annotations

import pytest

from sahel_events import DocMeta


def families(extractor, text: str, published: str | None = "2025-11-05") -> list[str]:  # type: ignore[no-untyped-def]
    return [e.family for e in extractor.extract(text, DocMeta("t", published))]


def reasons(extractor, text: str, published: str | None = "2025-11-05") -> list[str | None]:  # type: ignore[no-untyped-def]
    return [c.dropped for c in extractor.candidates(text, DocMeta("t", published))]


ASSERTED = "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو."


@pytest.mark.parametrize(
    "kind, text",
    [
        ("negation", "ولم تفرض جماعة نصرة الإسلام والمسلمين أي حصار على مدينة نيورو."),
        ("negation", "ما فرضت الجماعة حصارا على مدينة نيورو."),
        ("negation", "ونفى الجيش أن يكون المسلحون قد سيطروا على بلدة ديافارابي."),
        ("speculation", "وقد تفرض الجماعة حصارا على مدينة نيورو في الأسابيع المقبلة."),
        ("speculation", "وربما تسيطر الجماعة على بلدة ديافارابي قريبا."),
        ("speculation", "وهددت الجماعة بفرض حصار على مدينة نيورو."),
        ("fear", "وعبر السكان عن مخاوف من حصار مدينة نيورو."),
        ("plan", "وتعتزم الجماعة فرض حصار على مدينة نيورو."),
        ("plan", "وستفرض الجماعة حصارا على مدينة نيورو."),
        ("plan", "وتستعد القوات لاقتحام بلدة أنيفيس."),
        ("history", "وكانت الجماعة قد فرضت حصارا على مدينة نيورو."),
        ("history", "وسيطر المتمردون على مدينة كيدال في 2012 قبل أن يطردهم الجيش."),
    ],
)
def test_cue_stops_the_event(extractor, kind: str, text: str) -> None:  # type: ignore[no-untyped-def]
    assert families(extractor, text) == [], text
    assert any(r == kind or (kind in ("negation", "denial") and r in ("negation", "denial")) for r in reasons(extractor, text))


def test_the_plain_sentence_is_an_event(extractor) -> None:  # type: ignore[no-untyped-def]
    assert families(extractor, ASSERTED) == ["blockade"]


@pytest.mark.parametrize(
    "text, family",
    [
        # «ما» after the trigger is a relative pronoun, not a negation.
        ("وفرضت الجماعة حصارا على مدينة نيورو، ما أحدث نقصا حادا في الوقود.", "blockade"),
        # «لا يزال» and «ما زال» mean "still": a continuing siege.
        ("ولا يزال الحصار المفروض على مدينة جيبو مستمرا.", "blockade"),
        ("وما زالت الجماعة تحاصر مدينة جيبو.", "blockade"),
        # «تهدد» without بـ describes, it does not threaten.
        ("وسيطرت الجماعات التي تهدد العاصمة على بلدة ديافارابي.", "advance"),
        # «قد» with a past verb is emphatic: it happened.
        ("وقد سيطر مسلحو الجماعة على بلدة ديافارابي.", "advance"),
        # A siege that began long ago and goes on is an event.
        ("وتحاصر الجماعة مدينة جيبو منذ 2022.", "blockade"),
        # A diplomatic statement about the future is itself an event.
        ("وأعربت الجزائر عن استعدادها للتعاون مع موريتانيا في تأمين الحدود.", "diplomatic"),
    ],
)
def test_non_cues_leave_the_event(extractor, text: str, family: str) -> None:  # type: ignore[no-untyped-def]
    assert family in families(extractor, text), text


def test_cue_governs_only_its_own_clause(extractor) -> None:  # type: ignore[no-untyped-def]
    text = "لم تعلق الحكومة على الهجوم، لكن الجماعة فرضت حصارا على مدينة نيورو."
    assert families(extractor, text) == ["blockade"]


def test_denial_stops_a_diplomatic_act_but_not_the_denial_itself(extractor) -> None:  # type: ignore[no-untyped-def]
    text = "ونفت الحكومة المالية أن تكون قد استدعت السفير الجزائري."
    evs = extractor.extract(text, DocMeta("t", "2025-11-05"))
    assert all(e.plover != "SANCTION" for e in evs)


def test_history_needs_a_reference_date_and_an_old_year(extractor) -> None:  # type: ignore[no-untyped-def]
    text = "وسيطرت الجماعة على بلدة ديافارابي في 2025."
    assert families(extractor, text, "2025-11-05") == ["advance"]
    assert families(extractor, text, "2027-06-01") == []
