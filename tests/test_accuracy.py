"""Accuracy guard: the seed article and our samples, scored by ../shared/tools/score.py."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

from sahel_events import DocMeta, Extractor
from sahel_events.inputs import iter_inputs

from .conftest import ROOT, SAMPLES, SEED, SHARED

SEED_MIN_F1, SAMPLES_MIN_F1 = 0.85, 0.90


def _predict(extractor: Extractor, folder: Path, published: str | None = None) -> list[dict]:
    recs = []
    for doc in iter_inputs([str(p) for p in sorted(folder.glob("*.txt"))], published=published):
        assert not isinstance(doc, Exception) and hasattr(doc, "text"), doc
        recs += [e.to_record() for e in extractor.extract(doc.text, doc.meta)]
    return recs


def _score(scorer, folder: Path, recs: list[dict]):  # type: ignore[no-untyped-def]
    docs, gold = scorer.load_gold(folder)
    fam, total, attrs, errors, *_ = scorer.score(docs, gold, recs, scorer.DEFAULT_FAMILIES)
    return scorer.prf(total), total, attrs, errors


def test_seed_article(extractor, scorer) -> None:  # type: ignore[no-untyped-def]
    if not SEED.exists():
        pytest.skip("../shared/corpus/seed is not beside this checkout")
    recs = _predict(extractor, SEED, published="2025-11-05")
    (p, r, f1), total, attrs, errors = _score(scorer, SEED, recs)
    assert total["trap"] == 0, errors
    assert f1 >= SEED_MIN_F1, errors
    ok, n = attrs["actor1"]
    assert n and ok / n >= 0.9, errors


def test_samples(extractor, scorer) -> None:  # type: ignore[no-untyped-def]
    recs = _predict(extractor, SAMPLES)
    (p, r, f1), total, attrs, errors = _score(scorer, SAMPLES, recs)
    assert total["trap"] == 0, errors
    assert f1 >= SAMPLES_MIN_F1, f"F1 {f1:.3f}\n" + "\n".join(map(str, errors))


def test_samples_quotas() -> None:
    """The samples hold enough events of each family and traps of every cue kind."""
    fams: dict[str, int] = {}
    traps: list[str] = []
    docs = sorted(SAMPLES.glob("*.txt"))
    assert len(docs) >= 15
    for txt in docs:
        for line in txt.with_name(txt.stem + ".gold.jsonl").read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            if g["polarity"] == "asserted":
                fams[g["family"]] = fams.get(g["family"], 0) + 1
            elif g["polarity"] == "not_event":
                traps.append(g.get("note", ""))
    assert all(fams.get(f, 0) >= 12 for f in ("blockade", "advance", "diplomatic")), fams
    assert len(traps) >= 20
    for kind in ("negation", "speculation", "fear", "plan", "denial", "history"):
        assert any(t.lower().startswith(kind) for t in traps), kind


def test_every_record_validates_against_the_schema(extractor) -> None:  # type: ignore[no-untyped-def]
    schema_path = SHARED / "schema" / "event.schema.json"
    if not schema_path.exists():
        pytest.skip("../shared/schema is not beside this checkout")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    recs = _predict(extractor, SAMPLES)
    if SEED.exists():
        recs += _predict(extractor, SEED)
    assert recs
    for r in recs:
        errors = sorted(validator.iter_errors(r), key=str)
        assert not errors, (r["event_id"], [e.message for e in errors])


def _lexicon_names(words: re.Pattern[str]) -> list[str]:
    """Every string of the shipped lexicons, as space-joined Arabic words: names are facts, not sentences."""
    names: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            names.append(" " + " ".join(words.findall(v)) + " ")
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for p in sorted((ROOT / "rules" / "lexicon").glob("*.toml")):
        walk(tomllib.loads(p.read_text(encoding="utf-8")))
    return names


def test_no_text_copied_from_the_shared_corpus() -> None:
    """Samples, rules and code never repeat five words of the shared corpus (it is test data).

    A run that lies inside one lexicon name (an organisation's full name) is a fact and allowed.
    """
    corpus = SHARED / "corpus"
    if not corpus.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    words = re.compile(r"[\u0621-\u064a]+")
    grams: set[str] = set()
    for p in corpus.rglob("*.txt"):
        w = words.findall(p.read_text(encoding="utf-8"))
        grams |= {" ".join(w[i : i + 5]) for i in range(len(w) - 4)}
    names = _lexicon_names(words)

    def is_name(gram: str) -> bool:
        return any(f" {gram} " in n for n in names)

    hits = []
    for sub in ("rules", "samples", "sahel_events", "tests"):
        for p in (ROOT / sub).rglob("*"):
            if p.is_file() and p.suffix in {".toml", ".txt", ".py", ".md", ".json", ".jsonl", ".tsv"}:
                w = words.findall(p.read_text(encoding="utf-8"))
                found = {g for g in (" ".join(w[i : i + 5]) for i in range(len(w) - 4)) if g in grams}
                copied = sorted(g for g in found if not is_name(g))
                if copied:
                    hits.append(f"{p.relative_to(ROOT)}: {copied[:3]}")
    assert not hits, hits


def test_output_is_deterministic(extractor) -> None:  # type: ignore[no-untyped-def]
    text = (SAMPLES / sorted(p.name for p in SAMPLES.glob("*.txt"))[0]).read_text(encoding="utf-8")
    a = [e.to_record() for e in extractor.extract(text, DocMeta("x", "2025-01-01"))]
    b = [e.to_record() for e in Extractor(extractor.rules).extract(text, DocMeta("x", "2025-01-01"))]
    assert a == b and a
