"""Why a text gives the events it gives: every rule match, its slots and its verdict.

`explain(extractor, text, meta)` lists every candidate of
`Extractor.candidates` with the rule (id, file:line), the words it matched,
the filled slots (role → words in the text → resolved name) and, for a
candidate that gave no event, the reason (negation, speculation, plan,
history, fear, denial, request, condition, "merged into RULE", "no actor1", …)
with the cue words.  `plain_text` and `rich_text` show the text with every
match marked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .diff import event_summary
from .extract import Candidate, DocMeta, Extractor

REASONS = {
    "negation": "negated",
    "denial": "denied",
    "speculation": "speculative",
    "fear": "only feared",
    "plan": "planned or threatened, not done",
    "history": "recalled as history",
    "request": "only requested",
    "condition": "conditional",
}
OPEN, CLOSE = "[[", "]]"


@dataclass(frozen=True, slots=True)
class Slot:
    role: str
    words: str  # as written in the text ("" when unknown)
    name: str | None  # resolved name from the lexicons (None: generic, resolved from context)
    from_earlier: bool = False  # filled from an earlier sentence (fallback)


@dataclass(slots=True)
class Explained:
    """One candidate, ready to show."""

    number: int
    rule_id: str
    rule_file: str
    rule_line: int
    family: str
    start: int  # original character offsets
    end: int
    words: str
    slots: list[Slot] = field(default_factory=list)
    dropped: str | None = None
    cue: str = ""
    events: list[str] = field(default_factory=list)  # event_ids the candidate contributed to
    briefs: list[str] = field(default_factory=list)  # one line per event (see diff.event_summary)

    @property
    def reason(self) -> str:
        """The reason in words, with its cue."""
        if self.dropped is None:
            return ""
        base = self.dropped.split(" ", 1)[0]
        text = f"{self.dropped} ({REASONS[base]})" if base in REASONS else self.dropped
        return f"{text}, cue «{self.cue}»" if self.cue else text

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.number,
            "rule": {"id": self.rule_id, "file": self.rule_file, "line": self.rule_line},
            "family": self.family,
            "span": {"start": self.start, "end": self.end, "text": self.words},
            "slots": {s.role: {"text": s.words, "name": s.name, "from_earlier_sentence": s.from_earlier} for s in self.slots},
            "dropped": self.dropped,
            "cue": self.cue or None,
            "events": self.events,
        }


@dataclass(slots=True)
class Explanation:
    text: str
    doc_id: str
    candidates: list[Explained]
    events: list[dict[str, Any]]  # the records extract gives


def _document(ex: Extractor, text: str) -> Any:
    """The engine's analysed document, to show slot and cue words as written (best effort)."""
    try:
        from .match import Document

        return Document(text, ex.rules)
    except Exception:  # noqa: BLE001 - an engine change must not break explain
        return None


def _slot_words(doc: Any, c: Candidate, ent: Any, earlier: bool = False) -> str:
    """The words of a slot's entity as written; a fallback slot lives in an earlier sentence."""
    if doc is None:
        return ""
    try:
        for si in range(c.sentence - 1, max(-1, c.sentence - 4), -1) if earlier else (c.sentence,):
            sent = doc.sentence(si)
            if not earlier or ent in sent.actors:
                a, b = doc.orig_span(sent, ent.start, ent.end)
                return str(doc.original[a:b])
    except Exception:  # noqa: BLE001 - an engine change must not break explain
        return ""
    return ""


def _cue_words(doc: Any, c: Candidate) -> str:
    """The cue as written in the text (the engine gives it normalised)."""
    if doc is None or not c.cue:
        return c.cue
    try:
        sent = doc.sentence(c.sentence)
        words = c.cue.split()
        toks = [t.text for t in sent.tokens]
        for p in range(min(c.anchor, len(toks) - len(words)), -1, -1):
            if toks[p : p + len(words)] == words:
                a, b = doc.orig_span(sent, p, p + len(words))
                return str(doc.original[a:b])
    except Exception:  # noqa: BLE001
        pass
    return c.cue


def explain(ex: Extractor, text: str, meta: DocMeta | None = None) -> Explanation:
    """Every candidate of `text` with its slots, verdict and the events it gave."""
    meta = meta or DocMeta()
    events = [e.to_record() for e in ex.extract(text, meta)]
    doc = _document(ex, text)
    out: list[Explained] = []
    for n, c in enumerate(sorted(ex.candidates(text, meta), key=lambda c: (c.span, c.rule.id)), 1):
        slots = []
        for role, ent in c.slots.items():
            name = getattr(ent.ref, "name", None)
            slots.append(Slot(role, _slot_words(doc, c, ent, role in c.fallback), name, role in c.fallback))
        for loc in c.locations[1:]:
            slots.append(Slot("location", _slot_words(doc, c, loc), getattr(loc.ref, "name", None)))
        ids: list[str] = []
        briefs: list[str] = []
        if c.dropped is None:
            for r in events:
                if any((m["start"], m["end"]) == c.span for m in r["mentions"]) and r["event_id"] not in ids:
                    ids.append(r["event_id"])
                    briefs.append(event_summary(r))
        out.append(
            Explained(
                n,
                c.rule.id,
                c.rule.file,
                c.rule.line,
                c.rule.family,
                c.span[0],
                c.span[1],
                text[c.span[0] : c.span[1]],
                slots,
                c.dropped,
                _cue_words(doc, c),
                ids,
                briefs,
            )
        )
    return Explanation(text, meta.doc_id, out, events)


def regions(ex: Explanation) -> list[tuple[int, int, list[Explained]]]:
    """Non-overlapping stretches of text to mark, each with the candidates inside it."""
    spans = sorted((c.start, c.end) for c in ex.candidates if c.end > c.start)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e, [c for c in ex.candidates if s <= c.start and c.end <= e]) for s, e in merged]


def _label(cands: list[Explained]) -> str:
    return "{" + ",".join(str(c.number) for c in cands) + "}"


def marked_text(ex: Explanation) -> str:
    """The text with every match between [[ and ]], followed by its candidate numbers: [[…]]{1,2}."""
    out, pos = [], 0
    for s, e, cands in regions(ex):
        out += [ex.text[pos:s], OPEN, ex.text[s:e], CLOSE, _label(cands)]
        pos = e
    out.append(ex.text[pos:])
    return "".join(out)


def _slot_text(s: Slot) -> str:
    words = f"«{s.words}»" if s.words else ""
    name = s.name or "(generic: resolved from context)"
    more = " [from an earlier sentence]" if s.from_earlier else ""
    return f"{s.role} = {words} → {name}{more}" if words else f"{s.role} = {name}{more}"


def candidate_lines(c: Explained) -> Iterator[str]:
    yield f"{c.number}. {c.rule_id}  {c.rule_file}:{c.rule_line}  «{c.words}» ({c.start}-{c.end})"
    for s in c.slots:
        yield f"     {_slot_text(s)}"
    if c.dropped is None:
        for eid, line in zip(c.events, c.briefs, strict=True):
            yield f"     → event {eid}: {line}"
        if not c.events:
            yield "     → event (kept, but no record holds this span)"
    else:
        yield f"     → no event: {c.reason}"


def plain_lines(ex: Explanation) -> Iterator[str]:
    yield marked_text(ex).rstrip("\n")
    yield ""
    if not ex.candidates:
        yield "no rule matched"
        return
    for c in ex.candidates:
        yield from candidate_lines(c)
    yield ""
    kept = sum(c.dropped is None for c in ex.candidates)
    yield f"{len(ex.candidates)} candidates, {kept} kept, {len(ex.events)} events"


def rich_markup(ex: Explanation) -> str:
    """The same as `plain_lines`, as rich markup: kept matches green, dropped ones red."""
    from rich.markup import escape

    parts, pos = [], 0
    for s, e, cands in regions(ex):
        style = "bold green" if any(c.dropped is None for c in cands) else "red"
        parts += [escape(ex.text[pos:s]), f"[{style} underline]", escape(ex.text[s:e]), "[/]", f"[dim]{_label(cands)}[/]"]
        pos = e
    parts.append(escape(ex.text[pos:].rstrip("\n")))
    lines = ["".join(parts), ""]
    if not ex.candidates:
        lines.append("[yellow]no rule matched[/]")
        return "\n".join(lines)
    for c in ex.candidates:
        lines.append(
            f"[bold]{c.number}.[/] [cyan]{escape(c.rule_id)}[/]  [dim]{escape(c.rule_file)}:{c.rule_line}[/]  «{escape(c.words)}»"
        )
        for slot in c.slots:
            lines.append(f"     {escape(_slot_text(slot))}")
        if c.dropped is None:
            for eid, line in zip(c.events, c.briefs, strict=True):
                lines.append(f"     [green]→ event {eid}:[/] {escape(line)}")
            if not c.events:
                lines.append("     [green]→ event[/] (kept, but no record holds this span)")
        else:
            lines.append(f"     [red]→ no event:[/] {escape(c.reason)}")
    kept = sum(c.dropped is None for c in ex.candidates)
    lines += ["", f"{len(ex.candidates)} candidates, {kept} kept, {len(ex.events)} events"]
    return "\n".join(lines)
