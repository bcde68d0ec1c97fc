"""Score event records against hand-annotated gold events.

The same matching rule as the project's reference scorer
(`../shared/tools/score.py`), reimplemented here so that the installed tool
needs nothing beside it; a test checks that both give the same figures.

Gold: a folder of NAME.txt and NAME.gold.jsonl; each gold line is
{"family", "evidence": str | [str, ...], "polarity": "asserted" | "not_event"
| "ambiguous", "actor1", "actor1_aliases"?, "location", "country",
"event_date"?}.  A prediction matches a gold event of its family when its
evidence (or any mention) overlaps a clause holding one of the gold evidence
strings; clauses end at sentence ends and at «،» «؛» ";"; evidence longer
than 400 characters matches nothing.  Gold and predictions pair one to one
(maximum matching, keeping first the pairs that also agree on actor1 and
location).  An unpaired prediction is a *duplicate* when it shares a clause
with a paired gold event of its family, a *trap hit* when it lies in a clause
the gold marks "not_event", *spurious* otherwise; one on an "ambiguous" line
counts neither way.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, SahelEventsError
from .text import spans_between

CLAUSE_END = re.compile(r"(?:(?<!\s\S)\.(?=\s|$|[\"”»)])|[!?؟\n،؛;])+")
DEFAULT_FAMILIES = ("blockade", "advance", "diplomatic")
MAX_SPAN = 400
COUNTS = ("gold", "pred", "tp", "duplicate", "trap", "spurious", "ambiguous")

Span = tuple[int, int]


class EvaluationError(SahelEventsError):
    """Gold or predictions that cannot be scored (file:line in `problems`)."""


def clauses(text: str) -> list[Span]:
    """The scorer's clauses: between sentence ends and Arabic commas and semicolons."""
    return spans_between(CLAUSE_END, text)


def unit_ids(spans: list[Span], start: int, end: int) -> set[int]:
    return {i for i, (s, e) in enumerate(spans) if s < max(end, start + 1) and start < e}


def fold(s: str | None) -> str:
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9\u0600-\u06ff]+", " ", s.lower()).strip()


def same_name(pred: str | None, names: list[str]) -> bool:
    """Whole-word agreement («JNIM» ~ «JNIM: Group for …»), or equal without spaces."""
    p = fold(pred)
    if not p:
        return False
    pw = set(p.split())
    for n in names:
        g = fold(n)
        if not g:
            continue
        gw = set(g.split())
        if gw <= pw or pw <= gw or g.replace(" ", "") == p.replace(" ", ""):
            return True
    return False


def doc_key(doc_id: str) -> str:
    name = doc_id.replace("\\", "/").rsplit("/", 1)[-1]
    for ext in (".txt", ".jsonl", ".json", ".html"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


@dataclass(slots=True)
class Gold:
    docs: dict[str, tuple[str, list[Span]]]
    events: list[dict[str, Any]]


def load_gold(folder: Path) -> Gold:
    """Documents and gold events of a folder; EvaluationError names a bad line as file:line."""
    docs: dict[str, tuple[str, list[Span]]] = {}
    gold: list[dict[str, Any]] = []
    for txt in sorted(folder.glob("*.txt")):
        key = txt.stem
        try:
            with open(txt, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as e:
            raise EvaluationError(str(e), (Problem(str(txt), 1, f"cannot read: {e}"),)) from None
        docs[key] = (text, clauses(text))
        gfile = txt.with_name(key + ".gold.jsonl")
        if not gfile.exists():
            continue
        for n, line in enumerate(gfile.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue

            def bad(msg: str, n: int = n, gfile: Path = gfile) -> EvaluationError:
                return EvaluationError(msg, (Problem(str(gfile), n, msg),))

            try:
                g = json.loads(line)
            except json.JSONDecodeError as e:
                raise bad(f"not JSON ({e})") from None
            if not isinstance(g, dict) or "evidence" not in g or not isinstance(g.get("family"), str):
                raise bad('a gold event needs "family" and "evidence"')
            ev = g["evidence"] if isinstance(g["evidence"], list) else [g["evidence"]]
            sids: set[int] = set()
            for quote in ev:
                at = text.find(quote) if isinstance(quote, str) and quote else -1
                if at < 0:
                    raise bad(f"evidence not in text: {str(quote)[:40]}")
                while at >= 0:
                    sids |= unit_ids(docs[key][1], at, at + len(quote))
                    at = text.find(quote, at + 1)
            g["_doc"], g["_sids"] = key, sids
            gold.append(g)
    return Gold(docs, gold)


def read_predictions(data: str, where: str) -> list[dict[str, Any]]:
    preds = []
    for n, line in enumerate(data.splitlines(), 1):
        if line.strip():
            try:
                p = json.loads(line)
            except json.JSONDecodeError as e:
                raise EvaluationError("not JSON", (Problem(where, n, f"not JSON ({e})"),)) from None
            if not isinstance(p, dict):
                raise EvaluationError("not a record", (Problem(where, n, "not a JSON object"),))
            preds.append(p)
    return preds


def pred_sids(p: dict[str, Any], docs: dict[str, tuple[str, list[Span]]]) -> set[int] | None:
    key = doc_key(str(p.get("doc_id", "")))
    if key not in docs:
        return None
    text, spans = docs[key]
    ev = p.get("evidence") or {}
    places = [ev] + list(p.get("mentions") or [])
    sids: set[int] = set()
    for m in places:
        if not isinstance(m, dict):
            continue
        s, e, t = m.get("start"), m.get("end"), m.get("text")
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text) and (not t or text[s:e] == t):
            pass
        elif t and text.find(t) >= 0:
            s = text.find(t)
            e = s + len(t)
        else:
            continue
        assert isinstance(s, int) and isinstance(e, int)
        if e - s <= MAX_SPAN:
            sids |= unit_ids(spans, s, e)
    return sids


def max_matching(edges: dict[int, list[int]], preferred: dict[int, list[int]] | None = None) -> dict[int, int]:
    """Kuhn's algorithm, prediction -> gold; a matching over `preferred` edges first, then augmented."""
    owner: dict[int, int] = {}
    if preferred:
        owner = {g: p for p, g in max_matching(preferred).items()}

    def try_pred(p: int, seen: set[int]) -> bool:
        for g in edges.get(p, []):
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or try_pred(owner[g], seen):
                owner[g] = p
                return True
        return False

    done = set(owner.values())
    for p in edges:
        if p not in done:
            try_pred(p, set())
    return {p: g for g, p in owner.items()}


@dataclass(frozen=True, slots=True)
class ScoreError:
    kind: str  # missed | duplicate | trap | spurious
    doc: str
    family: str
    what: str  # gold note or evidence; the prediction's evidence


@dataclass(slots=True)
class Score:
    families: dict[str, dict[str, int]]
    total: dict[str, int]
    attributes: dict[str, list[int]]  # name -> [correct, of]
    errors: list[ScoreError] = field(default_factory=list)
    ignored: int = 0
    unknown_doc: int = 0
    traps: int = 0
    docs: int = 0


def prf(c: dict[str, int]) -> tuple[float, float, float]:
    p = c.get("tp", 0) / c["pred"] if c.get("pred") else 0.0
    r = c.get("tp", 0) / c["gold"] if c.get("gold") else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: Gold, preds: Iterable[dict[str, Any]], families: tuple[str, ...] = DEFAULT_FAMILIES) -> Score:
    docs = gold.docs
    asserted = [g for g in gold.events if g.get("polarity", "asserted") == "asserted" and g["family"] in families]
    traps = [g for g in gold.events if g.get("polarity") == "not_event"]
    unsure = [g for g in gold.events if g.get("polarity") == "ambiguous"]
    scored: list[tuple[dict[str, Any], str, set[int]]] = []
    ignored = unknown_doc = 0
    for p in preds:
        if p.get("family") not in families:
            ignored += 1
            continue
        sids = pred_sids(p, docs)
        if sids is None:
            unknown_doc += 1
            continue
        scored.append((p, doc_key(str(p["doc_id"])), sids))
    edges: dict[int, list[int]] = defaultdict(list)
    for i, (p, key, sids) in enumerate(scored):
        for j, g in enumerate(asserted):
            if g["_doc"] == key and g["family"] == p["family"] and sids & g["_sids"]:
                edges[i].append(j)

    def agrees(p: dict[str, Any], g: dict[str, Any]) -> bool:
        loc_ok = not g.get("location") or same_name(p.get("location"), [g["location"]])
        actor_ok = not g.get("actor1") or same_name(p.get("actor1"), [g["actor1"]] + list(g.get("actor1_aliases") or []))
        return loc_ok and actor_ok

    preferred = {i: [j for j in js if agrees(scored[i][0], asserted[j])] for i, js in edges.items()}
    match = max_matching(edges, {i: js for i, js in preferred.items() if js})
    matched_gold = set(match.values())
    fam: dict[str, dict[str, int]] = {f: dict.fromkeys(COUNTS, 0) for f in families}
    errors: list[ScoreError] = []
    for j, g in enumerate(asserted):
        fam[g["family"]]["gold"] += 1
        if j in matched_gold:
            fam[g["family"]]["tp"] += 1
        else:
            errors.append(ScoreError("missed", g["_doc"], g["family"], g.get("note") or str(g["evidence"])[:80]))
    attrs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, (p, key, sids) in enumerate(scored):
        f = fam[p["family"]]
        if i not in match and any(u["_doc"] == key and u["family"] == p["family"] and sids & u["_sids"] for u in unsure):
            f["ambiguous"] += 1
            continue
        f["pred"] += 1
        if i in match:
            g = asserted[match[i]]
            for name, gold_names in (
                ("actor1", [g.get("actor1")] + list(g.get("actor1_aliases") or [])),
                ("location", [g.get("location")]),
                ("country", [g.get("country")]),
            ):
                if gold_names[0]:
                    attrs[name][1] += 1
                    attrs[name][0] += same_name(p.get(name), [n for n in gold_names if n])
            if g.get("event_date"):
                attrs["event_date"][1] += 1
                attrs["event_date"][0] += str(p.get("event_date") or "").startswith(g["event_date"])
            continue
        if any(
            g["_doc"] == key and g["family"] == p["family"] and sids & g["_sids"]
            for j, g in enumerate(asserted)
            if j in matched_gold
        ):
            f["duplicate"] += 1
            kind = "duplicate"
        elif any(t["_doc"] == key and sids & t["_sids"] for t in traps):
            f["trap"] += 1
            kind = "trap"
        else:
            f["spurious"] += 1
            kind = "spurious"
        errors.append(ScoreError(kind, key, p["family"], str((p.get("evidence") or {}).get("text", ""))[:80]))
    total = dict.fromkeys(COUNTS, 0)
    for c in fam.values():
        for k, v in c.items():
            total[k] += v
    return Score(fam, total, dict(attrs), errors, ignored, unknown_doc, len(traps), len(docs))


def summary(s: Score) -> dict[str, Any]:
    """The figures as one JSON-ready object (the reference scorer's --json layout)."""

    def figures(c: dict[str, int]) -> dict[str, Any]:
        p, r, f = prf(c)
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), **c}

    return {
        "micro": figures(s.total),
        "families": {k: figures(v) for k, v in s.families.items()},
        "attributes": {
            k: {"correct": c, "of": n, "accuracy": round(c / n, 3) if n else None} for k, (c, n) in s.attributes.items()
        },
        "ignored_other_families": s.ignored,
        "unknown_doc": s.unknown_doc,
        "docs": s.docs,
        "traps": s.traps,
    }


def table_lines(s: Score) -> list[str]:
    out = [f"{'family':<12}{'gold':>6}{'pred':>6}{'tp':>5}{'dup':>5}{'trap':>6}{'spur':>6}{'P':>7}{'R':>7}{'F1':>7}"]
    for k, v in [*s.families.items(), ("ALL", s.total)]:
        p, r, f = prf(v)
        out.append(
            f"{k:<12}{v['gold']:>6}{v['pred']:>6}{v['tp']:>5}{v['duplicate']:>5}{v['trap']:>6}{v['spurious']:>6}{p:>7.3f}{r:>7.3f}{f:>7.3f}"
        )
    for k, (c, n) in s.attributes.items():
        out.append(f"{k} correct on matched events: {c}/{n}")
    if s.ignored or s.unknown_doc:
        out.append(f"ignored: {s.ignored} records of other families, {s.unknown_doc} records of documents without gold")
    return out
