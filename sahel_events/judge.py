"""Judgement: is a matched trigger an event, or negated, feared, planned, past?

A cue governs a trigger only when it stands before it in the same clause,
within the cue's scope (a few words).  «ما أحدث» after a trigger, or «تهدد»
without «بـ», governs nothing.  History is an explicit year a year or more
before the reference date in the trigger's clause (not after «منذ»: a state
that began then is still going on), or the pluperfect «كان … قد» (a cue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .match import Document, Sentence
from .rules import Cue

_IMPF_LETTERS = ("ي", "ت", "ن")  # not ا: «قد أعلنت» is a past verb, first person is rare in news


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str | None  # None: an event; else negation, speculation, plan, history, …
    cue_text: str = ""


def judge(doc: Document, sent: Sentence, family: str, start: int, anchor: int, anchor_tense: str, ref: dt.date | None) -> Verdict:
    """Decide on the candidate whose span starts at token `start` with anchor `anchor`."""
    if anchor_tense == "future":
        return Verdict("plan", sent.tokens[anchor].text)
    clause = sent.clause[anchor]
    cues = doc.rules.cues
    for ci, p, end in doc.cue_spans(sent):
        cue = cues[ci]
        if cue.families and family not in cue.families:
            continue
        if end > anchor or max(0, start - end) > cue.scope:
            continue
        if any(sent.clause[q] != clause for q in range(p, end)):
            continue
        if not _conditions(doc, sent, cue, end, start):
            continue
        if cue.kind == "history" and _recently_dated(doc, sent, clause, ref):
            continue  # «وكانت الجزائر قد أعلنت أمس …»: the pluperfect orders events, the date says it is news
        return Verdict(cue.kind, " ".join(t.text for t in sent.tokens[p:end]))
    if ref is not None:
        unless = doc.rules.history_unless
        for k, m in doc.dates_in(sent, ref):
            if sent.clause[k] != clause or m.since or not m.explicit_year:
                continue
            if any(t.text in unless for t in sent.tokens[max(0, k - 2) : k]):
                continue
            if (ref - m.hi).days >= 365:
                return Verdict("history", doc.norm.text[m.start : m.end])
    return Verdict(None)


def _recently_dated(doc: Document, sent: Sentence, clause: int, ref: dt.date | None) -> bool:
    """The clause dates itself within the year before the reference date."""
    if ref is None:
        return False
    return any(sent.clause[k] == clause and not m.since and 0 <= (ref - m.hi).days < 365 for k, m in doc.dates_in(sent, ref))


def _conditions(doc: Document, sent: Sentence, cue: Cue, end: int, start: int) -> bool:
    toks = sent.tokens
    if end >= len(toks):
        return False
    if cue.unless_next and not cue.unless_next.isdisjoint(sent.terms[end]):
        return False
    if cue.next_imperfect:
        w = toks[end].text
        if w[:1] in ("و", "ف") and len(w) > 3:
            w = w[1:]
        if not w.startswith(_IMPF_LETTERS):
            return False
    if cue.next_bi:
        # «هددت الجماعة بفرض حصار»: the match itself must begin with بـ.
        return any("ب" in info[1] for info in sent.terms[start].values())
    return True
