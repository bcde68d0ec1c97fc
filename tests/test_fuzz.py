"""Fuzzing: extraction never raises on any Unicode, and every offset it reports is exact.

Random text mixes scripts, Arabic presentation forms, bidi and zero-width marks,
combining marks on any letter, lone surrogates, NUL, and long lines, around
sentences that do hold events (so spans are produced and checked).  The longer
campaign is benchmarks/fuzz_campaign.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahel_events import DocMeta, Extractor

from .test_cli import records, run

SENTENCES = [
    "وتفرض جماعة نصرة الإسلام والمسلمين منذ أسابيع حصارا على مدينة نيورو.",
    "وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس بعد اشتباكات.",
    "واستعاد الجيش المالي السيطرة على بلدة بوني.",
    "وقررت النيجر قطع العلاقات مع أوكرانيا نهائيا.",
    "وقتل 12 جنديا في هجوم على قافلة قرب كولوكاني.",
]
MARKS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c\u0640"
COMBINING = [chr(c) for c in (*range(0x0300, 0x0370), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE))]
RANGES = [
    (0x0600, 0x06FF),  # Arabic
    (0x0750, 0x077F),
    (0xFB50, 0xFDFF),  # presentation forms A
    (0xFE70, 0xFEFF),  # presentation forms B
    (0x0020, 0x007E),
    (0x00A0, 0x024F),  # Latin
    (0x0400, 0x04FF),  # Cyrillic
    (0x0590, 0x05FF),  # Hebrew
    (0x0900, 0x097F),  # Devanagari
    (0x4E00, 0x4E80),  # CJK
    (0x1F300, 0x1F64F),  # emoji
    (0xD800, 0xDFFF),  # lone surrogates
    (0x0000, 0x001F),  # controls, NUL included
]


def random_chars(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            out.append(rng.choice(MARKS))
        elif r < 0.2:
            out.append(rng.choice(COMBINING))
        else:
            lo, hi = rng.choice(RANGES)
            out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def garble(rng: random.Random, text: str) -> str:
    """Marks and combining characters sprinkled into real sentences (inside words too)."""
    out = []
    for ch in text:
        out.append(ch)
        r = rng.random()
        if r < 0.08:
            out.append(rng.choice(COMBINING))
        elif r < 0.14:
            out.append(rng.choice(MARKS))
    return "".join(out)


def fuzz_text(rng: random.Random, size: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(1, size)):
        r = rng.random()
        if r < 0.35:
            parts.append(rng.choice(SENTENCES))
        elif r < 0.55:
            parts.append(garble(rng, rng.choice(SENTENCES)))
        elif r < 0.65:
            parts.append(rng.choice(SENTENCES).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
        else:
            parts.append(random_chars(rng, rng.randint(0, 80)))
        parts.append(rng.choice((" ", "\n", "\n\n", "", "\u2029", "\r\n", "\x00", "، ", ". ")))
    return "".join(parts)


def check_offsets(text: str, records_: list[dict]) -> None:
    for rec in records_:
        ev = rec["evidence"]
        assert 0 <= ev["start"] < ev["end"] <= len(text)
        assert text[ev["start"] : ev["end"]] == ev["text"], rec
        for m in rec["mentions"]:
            assert 0 <= m["start"] < m["end"] <= len(text)
            assert text[m["start"] : m["end"]] == m["text"], rec


pieces = st.one_of(
    st.sampled_from(SENTENCES),
    st.text(min_size=0, max_size=60),  # any code point hypothesis likes, lone surrogates included
    st.text(alphabet=st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF), max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF), max_size=20),
    st.text(alphabet=st.sampled_from(MARKS + "".join(COMBINING)), max_size=10),
    st.integers(0, 2**32).map(lambda seed: garble(random.Random(seed), random.Random(seed).choice(SENTENCES))),
    st.sampled_from(["\x00", "\n", " ", "،", ".", "\u200f"]),
    st.integers(1, 1200).map(lambda n: "ارتفعت الأسعار في السوق " * n + "حصار"),  # a long line
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, min_size=1, max_size=12).map("".join), st.sampled_from([None, "2025-11-05"]))
def test_extraction_never_raises_and_offsets_are_exact(extractor: Extractor, text: str, published: str | None) -> None:
    events = extractor.extract(text, DocMeta(doc_id="fuzz", published=published))
    check_offsets(text, [e.to_record() for e in events])


def test_seeded_random_documents(extractor: Extractor) -> None:
    rng = random.Random(4)
    found = 0
    for _ in range(300):
        text = fuzz_text(rng)
        recs = [e.to_record() for e in extractor.extract(text, DocMeta(doc_id="r"))]
        check_offsets(text, recs)
        found += len(recs)
    assert found > 50  # the spans were there to check


def test_cli_on_generated_files(tmp_path: Path) -> None:
    rng = random.Random(7)
    texts: dict[str, str] = {}
    lines = []
    for i in range(60):
        text = fuzz_text(rng, 8)
        # JSON escapes every surrogate, NUL and control character; the reader turns lone surrogates into U+FFFD.
        line = json.dumps({"id": f"f{i}", "text": text})
        lines.append(line)
        # What the record holds: JSON joins an escaped surrogate pair into one character.
        texts[f"f{i}"] = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in json.loads(line)["text"])
    long = "ارتفعت الأسعار في السوق " * 15000 + SENTENCES[0]  # one long line, about 0.6 MB
    lines.append(json.dumps({"id": "long", "text": long}))
    texts["long"] = long
    (tmp_path / "fuzz.jsonl").write_text("\n".join(lines) + "\n", encoding="ascii")
    plain = fuzz_text(rng, 30).replace("\ud800", "")
    plain = "".join(c for c in plain if not 0xD800 <= ord(c) <= 0xDFFF)  # a UTF-8 file cannot hold surrogates
    (tmp_path / "plain.txt").write_text(plain + "\n" + SENTENCES[0], encoding="utf-8")
    texts["plain.txt"] = plain + "\n" + SENTENCES[0]
    r = run("extract", "-q", "-j", "2", str(tmp_path))
    assert r.returncode == 0, r.stderr
    recs = records(r.stdout)
    assert {x["doc_id"] for x in recs} >= {"plain.txt", "long"}
    for doc_id, text in texts.items():
        check_offsets(text, [x for x in recs if x["doc_id"] == doc_id])


_FOLDS = {"ا": "اأإآ", "ي": "يى", "ه": "هة", "ء": "ءؤئ"}
_SAMPLE_TEXTS = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


def _without_quotes(rec: dict[str, object]) -> dict[str, object]:
    """A record without the quoted evidence and mentions text (their offsets stay)."""
    out = dict(rec)
    ev = dict(rec["evidence"])  # type: ignore[call-overload]
    ev.pop("text")
    out["evidence"] = ev
    out["mentions"] = [{k: v for k, v in m.items() if k != "text"} for m in rec["mentions"]]  # type: ignore[attr-defined]
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_SAMPLE_TEXTS), st.integers(0, 2**32), st.sampled_from([0.3, 1.0]), st.booleans())
def test_spellings_of_alef_ya_ta_marbuta_and_hamza_give_the_same_events(extractor, path: Path, seed: int, share: float, persian: bool) -> None:  # type: ignore[no-untyped-def]
    """News sites write أ/إ/آ/ا, ى/ي, ة/ه and ؤ/ئ/ء (and a Persian ya) as they please:
    the events are those of the article as written, at the same offsets."""
    written = path.read_text(encoding="utf-8")
    rng = random.Random(seed)
    text = "".join(rng.choice(_FOLDS[c]) if c in _FOLDS and rng.random() < share else c for c in written)
    if persian:
        text = text.replace("ي", "ی", 2)
    meta = DocMeta(doc_id="fold", published="2025-11-05")
    got = [_without_quotes(e.to_record()) for e in extractor.extract(text, meta)]
    assert got == [_without_quotes(e.to_record()) for e in extractor.extract(written, meta)]
    assert got, "every sample holds an event"
    assert extractor.extract("ارتفعت أسعار الخبز في السوق هذا الأسبوع.", meta) == []
