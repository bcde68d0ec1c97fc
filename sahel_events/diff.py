"""What changed between two sets of event records: added, removed and changed events.

Records are paired in three steps:

1. the same `event_id` in the same document (several records with one id
   pair in file order);
2. what is left, within one document and one family, by the largest
   overlap of their evidence and mention spans, so that an event whose actor,
   place or date changed (and with it its `event_id`) shows as *changed*;
3. what is still left is *removed* (old side) or *added* (new side).

A changed event lists the fields that differ (nested `evidence` and `rule`
fields as `evidence.start`, `rule.id`, …).  `event_id` itself is not listed
(it follows from the fields that changed; both ids are kept on the change),
and `rule.version` (a hash of the whole rule pack, different whenever any
rule file changed) is ignored unless `strict`.

`brief_lines` gives one readable line per event, with nothing that depends on
the file's path or on character offsets, for `git diff` (textconv).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import Problem, SahelEventsError

NOISE = ("rule.version",)  # ignored unless strict
_NOT_COMPARED = ("event_id",)
_REQUIRED = {"event_id": str, "doc_id": str, "family": str}


class RecordError(SahelEventsError):
    """A records file cannot be compared: every bad line is in `problems`."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: kind is "added", "removed" or "changed"."""

    kind: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def record(self) -> dict[str, Any]:
        rec = self.new if self.new is not None else self.old
        assert rec is not None
        return rec

    @property
    def doc_id(self) -> str:
        return str(self.record.get("doc_id"))

    @property
    def family(self) -> str:
        return str(self.record.get("family"))

    def sort_key(self) -> tuple[str, int, int, str]:
        rec = self.record
        start = _spans(rec)[0][0] if _spans(rec) else -1
        return (self.doc_id, start, {"removed": 0, "changed": 1, "added": 2}[self.kind], str(rec.get("event_id")))

    def to_json(self) -> dict[str, Any]:
        """One machine-readable object: the change, both ids, the changed fields and the record(s)."""
        out: dict[str, Any] = {
            "change": self.kind,
            "doc_id": self.doc_id,
            "family": self.family,
            "old_event_id": self.old.get("event_id") if self.old else None,
            "new_event_id": self.new.get("event_id") if self.new else None,
        }
        if self.kind == "changed":
            out["fields"] = {f.name: {"old": f.old, "new": f.new} for f in self.fields}
            out["evidence"] = self.record.get("evidence")
        else:
            out["record"] = self.record
        return out


@dataclass(slots=True)
class FamilyCount:
    old: int = 0
    new: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def unchanged(self) -> int:
        return self.old - self.removed - self.changed


@dataclass(slots=True)
class DiffResult:
    changes: list[Change] = field(default_factory=list)
    families: dict[str, FamilyCount] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.changes


# -- reading -------------------------------------------------------------------
def parse_records(data: bytes | str, where: str) -> list[dict[str, Any]]:
    """Event records of one JSON-lines text; RecordError names every bad line as where:line."""
    if isinstance(data, bytes):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RecordError(f"{where}: not UTF-8", (Problem(where, 1 + raw[: e.start].count(b"\n"), "not UTF-8"),)) from None
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            problems.append(Problem(where, n, f"not JSON ({e})"))
            continue
        if not isinstance(rec, dict):
            problems.append(Problem(where, n, "not a JSON object"))
            continue
        bad = [k for k, t in _REQUIRED.items() if not isinstance(rec.get(k), t)]
        if bad:
            problems.append(
                Problem(
                    where,
                    n,
                    "not an event record: no " + ", ".join(f'"{k}"' for k in bad),
                    "expected the output of sahel-events extract",
                )
            )
            continue
        out.append(rec)
    if problems:
        raise RecordError(f"{where}: {len(problems)} bad lines", tuple(problems))
    return out


# -- comparing -------------------------------------------------------------------
def _spans(rec: dict[str, Any]) -> list[tuple[int, int]]:
    out = []
    for m in [rec.get("evidence")] + list(rec.get("mentions") or []):
        if isinstance(m, dict) and isinstance(m.get("start"), int) and isinstance(m.get("end"), int):
            out.append((m["start"], m["end"]))
    return sorted(set(out))


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Characters shared by the two records' spans (0: they do not overlap)."""
    total = 0
    for s1, e1 in _spans(a):
        for s2, e2 in _spans(b):
            total += max(0, min(e1, e2) - max(s1, s2))
    return total


def _flat(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k in ("evidence", "rule") and isinstance(v, dict):
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out


def changed_fields(old: dict[str, Any], new: dict[str, Any], strict: bool = False) -> tuple[FieldChange, ...]:
    """Fields whose values differ, in the new record's field order (then the old's)."""
    a, b = _flat(old), _flat(new)
    skip = set(_NOT_COMPARED) | (set() if strict else set(NOISE))
    names = list(b) + [k for k in a if k not in b]
    return tuple(FieldChange(k, a.get(k), b.get(k)) for k in names if k not in skip and a.get(k) != b.get(k))


def diff_records(old: list[dict[str, Any]], new: list[dict[str, Any]], strict: bool = False) -> DiffResult:
    """Added, removed and changed events between two record lists (see the module's docstring)."""
    result = DiffResult()
    for recs, side in ((old, "old"), (new, "new")):
        for r in recs:
            fc = result.families.setdefault(str(r.get("family")), FamilyCount())
            setattr(fc, side, getattr(fc, side) + 1)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    # 1. same document, same event_id
    by_id: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, r in enumerate(new):
        by_id[(r["doc_id"], r["event_id"])].append(j)
    left_old: list[int] = []
    used_new: set[int] = set()
    for i, r in enumerate(old):
        js = by_id.get((r["doc_id"], r["event_id"]))
        if js:
            j = js.pop(0)
            used_new.add(j)
            pairs.append((r, new[j]))
        else:
            left_old.append(i)
    left_new = [j for j in range(len(new)) if j not in used_new]
    # 2. same document and family, overlapping spans: the largest overlap first
    groups: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in left_old:
        groups[(old[i]["doc_id"], old[i]["family"])][0].append(i)
    for j in left_new:
        groups[(new[j]["doc_id"], new[j]["family"])][1].append(j)
    removed: list[int] = []
    added: list[int] = []
    for key in sorted(groups):
        olds, news = groups[key]
        scored = sorted((-ov, i, j) for i in olds for j in news if (ov := _overlap(old[i], new[j])) > 0)
        taken_o: set[int] = set()
        taken_n: set[int] = set()
        for _, i, j in scored:
            if i in taken_o or j in taken_n:
                continue
            taken_o.add(i)
            taken_n.add(j)
            pairs.append((old[i], new[j]))
        removed += [i for i in olds if i not in taken_o]
        added += [j for j in news if j not in taken_n]
    changes: list[Change] = []
    for a, b in pairs:
        fields = changed_fields(a, b, strict)
        if fields:
            changes.append(Change("changed", a, b, fields))
    changes += [Change("removed", old[i], None) for i in removed]
    changes += [Change("added", None, new[j]) for j in added]
    changes.sort(key=Change.sort_key)
    for c in changes:
        fc = result.families.setdefault(c.family, FamilyCount())
        setattr(fc, c.kind, getattr(fc, c.kind) + 1)
    result.changes = changes
    result.families = dict(sorted(result.families.items()))
    return result


# -- showing -------------------------------------------------------------------------
def _v(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, str):
        return f"«{x}»" if any("\u0600" <= ch <= "\u06ff" for ch in x) else repr(x)
    return orjson.dumps(x).decode("utf-8")


def _spans_text(x: Any) -> str:
    """Mentions as their character spans: «5-23, 79-151»."""
    if not isinstance(x, list):
        return _v(x)
    return "[" + ", ".join(f"{m.get('start')}-{m.get('end')}" if isinstance(m, dict) else _v(m) for m in x) + "]"


def _one_line(s: Any) -> str:
    return " ".join(str(s or "").split())


def event_summary(rec: dict[str, Any]) -> str:
    """family (type) · date · actor1 → actor2 · place · «evidence»: one line, nothing path-dependent."""
    fam = rec.get("family") or "?"
    kind = rec.get("plover") if fam == "diplomatic" and rec.get("plover") else rec.get("sub_event_type")
    head = f"{fam} ({kind})" if kind else str(fam)
    actors = rec.get("actor1") or "?"
    if rec.get("actor2"):
        actors += f" → {rec['actor2']}"
    place = ", ".join(x for x in (rec.get("location"), rec.get("country")) if x) or "?"
    ev = rec.get("evidence")
    if not isinstance(ev, dict):
        ev = {}
    return f"{head} | {rec.get('event_date') or 'no date'} | {actors} | {place} | «{_one_line(ev.get('text'))}»"


def brief_lines(records: Iterable[dict[str, Any]]) -> list[str]:
    """One readable line per event, in order: family (type) | date | actor1 → actor2 | place | «evidence».

    No path, id or offset: two versions of an article diff line by line on
    the events that changed (git textconv)."""
    return [event_summary(r) for r in records]


def text_report(result: DiffResult, old_name: str = "old", new_name: str = "new") -> Iterator[str]:
    """Plain-text lines of the report (the rich report shows the same)."""
    if result.equal:
        yield "no differences"
        return
    doc = None
    for c in result.changes:
        if c.doc_id != doc:
            doc = c.doc_id
            yield f"== {doc}"
        sign = {"added": "+", "removed": "-", "changed": "~"}[c.kind]
        rule = (c.record.get("rule") or {}).get("id", "?")
        yield f"{sign} {c.kind:<8} [{rule}] {event_summary(c.record)}"
        for f in c.fields:
            show = _spans_text if f.name == "mentions" else _v
            yield f"      {f.name}: {show(f.old)} → {show(f.new)}"
    yield ""
    yield from summary_lines(result, old_name, new_name)


def summary_lines(result: DiffResult, old_name: str = "old", new_name: str = "new") -> list[str]:
    head = f"{'family':<12}{old_name[:8]:>9}{new_name[:8]:>9}{'added':>8}{'removed':>9}{'changed':>9}{'same':>7}"
    out = [head]
    tot = FamilyCount()
    for fam, fc in result.families.items():
        out.append(f"{fam:<12}{fc.old:>9}{fc.new:>9}{fc.added:>8}{fc.removed:>9}{fc.changed:>9}{fc.unchanged:>7}")
        for k in ("old", "new", "added", "removed", "changed"):
            setattr(tot, k, getattr(tot, k) + getattr(fc, k))
    out.append(f"{'ALL':<12}{tot.old:>9}{tot.new:>9}{tot.added:>8}{tot.removed:>9}{tot.changed:>9}{tot.unchanged:>7}")
    return out
