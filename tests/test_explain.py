"""explain: every candidate with its rule, slots and the reason it gave no event."""

from __future__ import annotations

import json

from sahel_events import DocMeta, Extractor
from sahel_events.explain import explain, marked_text

from .test_cli import run

NEGATED = "ولم تفرض الجماعة أي حصار على مدينة نيورو."
SPECULATED = "وقد تفرض الجماعة حصارا على مدينة نيورو."
HISTORY = "وكانت الجماعة قد فرضت حصارا على مدينة نيورو."
APPROACH = "تقترب الجماعة من السيطرة على مدينة كاي."
ASSERTED = "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع."


def _main(ex: Extractor, text: str):  # type: ignore[no-untyped-def]
    """The candidates of a sentence that were not merged into a longer one."""
    exp = explain(ex, text, DocMeta(published="2025-11-05"))
    return exp, [c for c in exp.candidates if not (c.dropped or "").startswith("merged into")]


def test_engine_verdicts_on_our_sentences(extractor: Extractor) -> None:
    """What the engine itself says (Extractor.candidates), which explain shows."""
    for text, reason in ((NEGATED, "negation"), (SPECULATED, "speculation"), (HISTORY, "history")):
        cands = extractor.candidates(text, DocMeta(published="2025-11-05"))
        assert [c.dropped for c in cands if not (c.dropped or "").startswith("merged")] == [reason], text
        assert extractor.extract(text, DocMeta(published="2025-11-05")) == []


def test_dropped_candidates_show_reason_and_cue(extractor: Extractor) -> None:
    for text, reason, cue in ((NEGATED, "negation", "ولم"), (SPECULATED, "speculation", "وقد"), (HISTORY, "history", "قد")):
        exp, main = _main(extractor, text)
        assert len(main) == 1, [c.to_json() for c in exp.candidates]
        c = main[0]
        assert c.rule_id == "blockade.siege" and c.dropped == reason
        assert cue in c.cue and cue in text
        assert c.reason.startswith(reason) and cue in c.reason
        assert c.rule_file.endswith("blockade.toml") and c.rule_line > 0
        assert c.words == text[c.start : c.end] and c.events == []
        assert not exp.events


def test_takeover_inside_an_approach_is_merged(extractor: Extractor) -> None:
    exp = explain(extractor, APPROACH)
    by_rule = {c.rule_id: c for c in exp.candidates}
    assert by_rule["advance.approach"].dropped is None
    assert by_rule["advance.approach"].events == [e["event_id"] for e in exp.events]
    assert by_rule["advance.takeover"].dropped == "merged into advance.approach"
    loc = {s.role: s for s in by_rule["advance.takeover"].slots}["location"]
    assert loc.name == "Kayes" and loc.words == "مدينة كاي"


def test_kept_candidate_shows_slots_and_event(extractor: Extractor) -> None:
    exp, main = _main(extractor, ASSERTED)
    (c,) = main
    assert c.dropped is None and len(c.events) == 1
    slots = {s.role: s for s in c.slots}
    assert slots["actor1"].name == "JNIM: Group for Support of Islam and Muslims"
    assert slots["actor1"].words == "مسلحو جماعة نصرة الإسلام"
    assert slots["location"].name == "Nioro du Sahel"
    assert marked_text(exp).startswith("[[وفرض مسلحو جماعة نصرة الإسلام حصارا]]{")


def test_missing_required_actor_says_so(extractor: Extractor) -> None:
    exp = explain(extractor, "وسيطرت على بلدة ديافارابي.")
    reasons = {c.rule_id: c.dropped for c in exp.candidates}
    assert reasons.get("advance.takeover") == "no actor1", reasons


def test_cli_plain_output(tmp_path) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "a.txt"
    article.write_text("\n".join([NEGATED, SPECULATED, HISTORY, APPROACH, ASSERTED]) + "\n", encoding="utf-8")
    r = run("explain", "--plain", "--published", "2025-11-05", str(article))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "[[تفرض الجماعة أي حصار]]" in out
    for words in ("no event: negation", "no event: speculation", "no event: history", "merged into advance.approach", "→ event"):
        assert words in out, out
    assert "blockade.toml:" in out and "cue «ولم»" in out
    assert "location = «مدينة نيورو» → Nioro du Sahel" in out


def test_cli_json_and_stdin() -> None:
    r = run("explain", "--json", "-", stdin=(NEGATED + "\n").encode())
    assert r.returncode == 0, r.stderr
    (obj,) = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert obj["events"] == []
    assert "negation" in [c["dropped"] for c in obj["candidates"]]
    assert all({"rule", "span", "slots", "dropped", "cue"} <= set(c) for c in obj["candidates"])


def test_nothing_matched() -> None:
    r = run("explain", "-", stdin="وصل الوزير إلى العاصمة صباح اليوم.\n".encode())
    assert r.returncode == 0 and "no rule matched" in r.stdout.decode()
