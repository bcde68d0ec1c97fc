"""The naive baseline: one compiled `re` regex per rule pattern variant, run over every sentence.

Each flat variant of the rule pack becomes one regex over normalised text:
a word is its literal alternatives wrapped in optional clitic prefix and
suffix groups (the same morphology tables the engine verifies hits with),
a gap `...N` is `(?:\\S+\\s+){0,N}`, a slot `\\S+(?:\\s+\\S+){0,3}`.  It only
finds matches (no slot filling, judgement or merging), so it does LESS work
than the engine: the ratio against it is a floor.
"""

from __future__ import annotations

import re

from sahel_events.pattern import Gap, Slot, Word, Words
from sahel_events.rules import RuleSet
from sahel_events.text import normalize, sentence_spans


def _alt(items: set[str] | frozenset[str]) -> str:
    return "|".join(re.escape(x) for x in sorted(items, key=lambda s: (-len(s), s)) if x)


def _word(w: Word, rs: RuleSet) -> str:
    m = rs.morph
    pre: frozenset[str]
    suf: frozenset[str]
    if w.kind == "exact":
        pre, suf = m.exact_prefixes, frozenset()
    elif w.kind == "verb":
        pre, suf = m.verb_prefixes, m.verb_suffixes
    else:
        pre, suf = m.noun_prefixes, m.noun_suffixes | m.ta_suffixes
    body = re.escape(w.text)
    if w.kind == "noun" and w.text.endswith("ه"):
        body = re.escape(w.text[:-1]) + "(?:ه|ت)?"
    p = _alt(pre)
    s = _alt(suf)
    return (f"(?:{p})?" if p else "") + body + (f"(?:{s})?" if s else "")


def compile_naive(rs: RuleSet) -> list[re.Pattern[str]]:
    seen: set[str] = set()
    out: list[re.Pattern[str]] = []
    pairs = sorted({(ridx, id(v)): v for vs in rs.variants.values() for ridx, v, _ in vs}.items())
    for _, v in pairs:
        src = r"(?<!\S)"
        els = v.elements
        for i, el in enumerate(els):
            last = i == len(els) - 1
            if isinstance(el, Gap):
                src += rf"(?:\S+\s+){{0,{el.max}}}"
                continue
            if isinstance(el, Words):
                src += "(?:" + "|".join(_word(w, rs) for w in el.words) + ")"
            elif isinstance(el, Slot):
                src += r"\S+(?:\s+\S+){0,3}"
            src += r"(?!\S)" if last else r"\s+"
        if src not in seen:
            seen.add(src)
            out.append(re.compile(src))
    return out


def naive_matches(text: str, regexes: list[re.Pattern[str]]) -> int:
    norm = normalize(text).text
    n = 0
    for s, e in sentence_spans(norm):
        sent = norm[s:e]
        for rx in regexes:
            if rx.search(sent):
                n += 1
    return n
