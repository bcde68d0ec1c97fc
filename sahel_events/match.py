"""Matching: find rule words, actors and places, then whole patterns.

One automaton scan over the whole document finds the sentences that hold a
rule's anchor word; only those sentences are tokenised and scanned with the
second automaton (every word, name and cue of the rule pack), and only
around anchors are full patterns tried.  News is sparse in events, so most
text is touched once, by C code.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from .dates import DateMention, find_dates
from .numbers import find_tags
from .pattern import Gap, Slot, Variant, Words
from .rules import VERB, VERB_DEF, VERB_IMPF, Morphology, RuleSet
from .scan import char_at, char_before, utf8
from .text import Normalized, Token, normalize, sentence_ends, tokenize

CLAUSE_PUNCT = frozenset('،؛;:«»“”"()[]{}')
_YEAR_LO, _YEAR_HI = 1900, 2099


@dataclass(frozen=True, slots=True)
class ActorRef:
    name: str | None  # None: a generic «الجيش» whose country comes from context
    inter: str | None
    kind: str  # armed | military | government | organisation
    country: str | None
    generic: bool = False
    metonym: bool = False
    anaphoric: bool = False  # «الجماعة»: the armed group named last


@dataclass(frozen=True, slots=True)
class PlaceRef:
    name: str
    kind: str  # town | region | country
    country: str
    place: int  # index into RuleSet.places; -1 for a country


@dataclass(frozen=True, slots=True)
class Entity:
    start: int  # token indices in the sentence, end exclusive
    end: int
    ref: ActorRef | PlaceRef
    prefix: str  # proclitics on the first word («بال» in «بالمجلس»)


@dataclass(slots=True)
class Sentence:
    index: int
    start: int  # normalised character offsets in the document
    end: int
    tokens: list[Token]
    terms: list[dict[int, tuple[str, str, str]]]  # per token: term id -> (form, prefix, suffix)
    actors: list[Entity]
    places: list[Entity]
    clause: list[int]  # clause number of every token
    years: list[tuple[int, int, bool]] = field(default_factory=list)  # (token, year, after «منذ»)


def tense(form: str, prefix: str, morph: Morphology) -> str:
    """past | imperfect | future | noun, from how an anchor word matched."""
    if form not in (VERB, VERB_IMPF, VERB_DEF):
        return "noun"
    if prefix in morph.future_prefixes:
        return "future"
    if prefix in morph.impf_prefixes:
        return "imperfect"
    return "past"


class Document:
    """One document under analysis: normalised text and lazily analysed sentences.

    A large document is analysed as a series of these, one per window
    (`text.windows`): `offset` is where the window starts in the document,
    `before` the actors of the sentences just before it (the last one last),
    read for an antecedent or a missing actor, `main` the document's main
    country ("" for none) when a pass over the whole document found it, and
    `norm` the window's normalisation when that pass kept it."""

    def __init__(
        self,
        text: str,
        rules: RuleSet,
        *,
        offset: int = 0,
        before: tuple[list[Entity], ...] = (),
        main: str | None = None,
        norm: Normalized | None = None,
    ) -> None:
        self.original = text
        self.rules = rules
        self.offset = offset
        self.before = before
        self.norm: Normalized = normalize(text) if norm is None else norm
        self._spans: list[tuple[int, int]] = []  # sentences split so far
        self._starts: list[int] = []
        self._bounds: Iterator[re.Match[str]] | None = None  # sentence ends still to read
        self._next = 0  # where the sentence after the last one split starts; -1: all split
        self._utf8: bytes | None = None
        self._cache: dict[int, Sentence] = {}
        self._actors: dict[int, list[Entity]] = {}  # sentences read for their actors only
        self._main: str | None = main
        self._tags: dict[int, tuple[str, ...]] = {}
        self._cues: dict[int, list[tuple[int, int, int]]] = {}
        self._gaps: dict[tuple[int, int, int, int], list[int]] = {}
        self._jumps: dict[tuple[int, int], dict[int, int]] = {}  # (sentence, step) -> token -> past a name
        self._dates: dict[tuple[int, dt.date | None], list[tuple[int, DateMention]]] = {}

    # -- sentences -----------------------------------------------------------
    # Sentences are split only when a document holds an anchor, and only as far
    # as asked: nothing after the last anchor's sentence needs splitting.
    def _split(self, pos: int = -1, count: int = 0) -> None:
        """Split sentences until one starts past `pos`, or until there are `count`."""
        nxt = self._next
        if nxt < 0:
            return
        text = self.norm.text
        if self._bounds is None:
            self._bounds = sentence_ends(text)
        bounds, spans, starts = self._bounds, self._spans, self._starts
        while nxt >= 0 and (nxt <= pos or len(spans) < count):
            m = next(bounds, None)
            end = len(text) if m is None else m.start()
            if end > nxt:  # the same sentences as `sentence_spans`
                spans.append((nxt, end))
                starts.append(nxt)
            nxt = -1 if m is None else m.end()
        self._next = nxt

    def span(self, i: int) -> tuple[int, int]:
        """(start, end) of sentence i in the normalised text."""
        if len(self._spans) <= i:
            self._split(count=i + 1)
        return self._spans[i]

    @property
    def utf8(self) -> bytes:
        """The normalised text as the scanners read it (encoded once)."""
        if self._utf8 is None:
            self._utf8 = utf8(self.norm.text)
        return self._utf8

    def sentence_of(self, pos: int) -> int:
        """The sentence that holds normalised position pos."""
        self._split(pos)
        return max(bisect_right(self._starts, pos) - 1, 0)

    def anchor_sentences(self) -> list[int]:
        """Sentences that hold at least one anchor literal (unverified)."""
        found: list[int] = []
        # The text's bytes serve `main_country` too.
        for _, _, end in self.rules.anchors.hits(self.norm.text, data=self.utf8):
            i = self.sentence_of(end - 1)
            if not found or found[-1] != i:
                found.append(i)
        return found

    def cue_spans(self, sent: Sentence) -> list[tuple[int, int, int]]:
        """Every cue match of a sentence as (cue index, first token, end token), found once."""
        got = self._cues.get(sent.index)
        if got is None:
            got = []
            index = self.rules.cue_index
            for p, terms in enumerate(sent.terms):
                for tid in terms:
                    for ci, v in index.get(tid, ()):
                        for end, _ in self.walk(sent, v.elements, 1, p + 1, 1, {}):
                            got.append((ci, p, end))
                            break
            self._cues[sent.index] = got
        return got

    def tags_in(self, sent: Sentence) -> tuple[str, ...]:
        """ACLED-style attribution tags of a sentence (found once)."""
        got = self._tags.get(sent.index)
        if got is None:
            g = self.rules.numbers
            got = self._tags[sent.index] = find_tags(self.norm.text, g, sent.start, sent.end) if g else ()
        return got

    def main_country(self) -> str | None:
        """The country the document names most (its names, capital, nationality); ties: the first named."""
        if self._main is None:
            counts: dict[int, list[int]] = {}
            count_countries(self.utf8, self.rules, counts)
            self._main = main_of(counts, self.rules)
        return self._main or None

    def last_actors(self, k: int) -> list[list[Entity]]:
        """The actors of the last k sentences (the last one last): the `before` of the next window.

        Only the end of the text is split: a scan that starts inside a run of
        sentence ends finds that run's end, and from there the same boundaries
        as a scan of the whole text."""
        text = self.norm.text
        n = len(text)
        back = 4096
        while True:
            lo = max(0, n - back)
            bounds = [m.span() for m in sentence_ends(text, lo)]
            if lo == 0:
                starts = [0] + [e for _, e in bounds]
                ends = [s for s, _ in bounds] + [n]
            else:  # what lies before the first boundary began before lo: no whole sentence
                starts = [e for _, e in bounds]
                ends = [s for s, _ in bounds[1:]] + [n]
            spans = [(s, e) for s, e in zip(starts, ends, strict=True) if e > s]
            if lo == 0 or len(spans) >= k:
                break
            back *= 4
        out = []
        for s, e in spans[-k:]:
            _, _, toks, _, raw = self._words(-1, whole=False, span=(s, e))
            out.append(self._entities(toks, raw)[0])
        return out

    def sentence(self, i: int) -> Sentence:
        s = self._cache.get(i)
        if s is None:
            s = self._cache[i] = self._analyse(i)
        return s

    def actors_of(self, i: int) -> list[Entity]:
        """The actors of sentence i.  Earlier sentences are read for an antecedent or
        a missing actor only: they are not analysed whole (no rule words, clauses, years).
        A negative i is a sentence before this text (`before`), if it holds that many."""
        if i < 0:
            return self.before[i] if -i <= len(self.before) else []
        s = self._cache.get(i)
        if s is not None:
            return s.actors
        got = self._actors.get(i)
        if got is None:
            _, _, toks, _, raw = self._words(i, whole=False)
            got = self._actors[i] = self._entities(toks, raw)[0]
        return got

    def dates_in(self, sent: Sentence, ref: dt.date | None) -> list[tuple[int, DateMention]]:
        """Date expressions of a sentence with the token each starts at, resolved against `ref`."""
        key = (sent.index, ref)
        got = self._dates.get(key)
        if got is None:
            grammar = self.rules.dates
            found = find_dates(self.norm.text, grammar, ref, sent.start, sent.end) if grammar else []
            starts = [t.start for t in sent.tokens]
            got = [(max(bisect_right(starts, m.start) - 1, 0), m) for m in found]
            self._dates[key] = got
        return got

    def orig_span(self, sent: Sentence, a: int, b: int) -> tuple[int, int]:
        """Original character span of tokens [a, b) of `sent`."""
        return self.norm.map.span(sent.tokens[a].start, sent.tokens[b - 1].end)

    # -- analysis --------------------------------------------------------------
    def _analyse(self, i: int) -> Sentence:
        s, e, toks, terms, raw = self._words(i)
        clause = self._clauses(toks, terms)
        actors, places = self._entities(toks, raw)
        years: list[tuple[int, int, bool]] = []
        for k, t in enumerate(toks):
            if t.text.isdigit() and len(t.text) == 4 and _YEAR_LO <= int(t.text) <= _YEAR_HI:
                since = k > 0 and toks[k - 1].text in ("منذ", "ومنذ")
                years.append((k, int(t.text), since))
        return Sentence(i, s, e, toks, terms, actors, places, clause, years)

    def _words(
        self, i: int, whole: bool = True, span: tuple[int, int] | None = None
    ) -> tuple[int, int, list[Token], list[dict[int, tuple[str, str, str]]], list[tuple[int, int, str, int, str, str]]]:
        """Sentence i's span, tokens, rule words (term id -> form, prefix, suffix) of
        every token, and name hits (first token, end, kind, index, prefix, suffix).
        With `whole` False the rule words are left out (an actors-only reading);
        `span`: the characters to read instead of sentence i's."""
        rs = self.rules
        s, e = self.span(i) if span is None else span
        toks = tokenize(self.norm.text, s, e)
        # The words joined by single spaces, where each character's token is known.
        starts: list[int] = []
        ends: list[int] = []
        token_at: list[int] = []
        pos = 0
        for k, t in enumerate(toks):
            n = len(t.text)
            starts.append(pos)
            ends.append(pos + n)
            token_at += [k] * (n + 1)
            pos += n + 1
        tokstr = " ".join([t.text for t in toks])
        terms: list[dict[int, tuple[str, str, str]]] = [{} for _ in toks]
        raw: list[tuple[int, int, str, int, str, str]] = []  # (a, b, kind, idx, prefix, suffix)
        for last, (n, words, names) in rs.lexicon.iter(tokstr):
            hs = last - n + 1
            ti = token_at[hs]
            tj = token_at[last]
            prefix = tokstr[starts[ti] : hs]
            suffix = tokstr[last + 1 : ends[tj]]
            if whole and ti == tj:
                found = terms[ti]
                for tid, form, pre, suf in words:
                    if prefix in pre and suffix in suf and tid not in found:
                        found[tid] = (form, prefix, suffix)
            for kind, idx, pre, suf in names:
                if prefix in pre and suffix in suf:
                    raw.append((ti, tj + 1, kind, idx, prefix, suffix))
        return s, e, toks, terms, raw

    def _clauses(self, toks: list[Token], terms: list[dict[int, tuple[str, str, str]]]) -> list[int]:
        out: list[int] = []
        c = 0
        text = self.norm.text
        breakers = self.rules.breakers
        for k, t in enumerate(toks):
            if k:
                gap = text[toks[k - 1].end : t.start]
                if gap != " " and not CLAUSE_PUNCT.isdisjoint(gap) or breakers and not breakers.isdisjoint(terms[k]):
                    c += 1
            out.append(c)
        return out

    def _entities(self, toks: list[Token], raw: list[tuple[int, int, str, int, str, str]]) -> tuple[list[Entity], list[Entity]]:
        rs = self.rules
        by_kind: dict[str, list[tuple[int, int, int, str]]] = {}
        for a, b, kind, idx, prefix, _ in raw:
            by_kind.setdefault(kind, []).append((a, b, idx, prefix))
        head_end: dict[int, list[tuple[int, str, str]]] = {}  # end token -> (start, prefix, kind)
        for kind in ("gov_head", "mil_head"):
            for a, b, _, prefix in by_kind.get(kind, []):
                head_end.setdefault(b, []).append((a, prefix, kind))
        place_head_end: dict[int, tuple[int, str]] = {}
        for a, b, _, prefix in by_kind.get("place_head", []):
            if b not in place_head_end or a < place_head_end[b][0]:
                place_head_end[b] = (a, prefix)
        ctx_tokens = {a for a, b, _, _ in by_kind.get("place_ctx", []) if b == a + 1}
        links = {a for a, b, _, _ in by_kind.get("link", []) if b == a + 1}
        country_starts = {a for a, _, _, _ in by_kind.get("country", [])}

        def prev_word(a: int) -> str:
            if a == 0:
                return ""
            w = toks[a - 1].text
            for p in ("وال", "فال", "بال", "ال", "و", "ف"):
                if w.startswith(p) and len(w) > len(p) + 1:
                    return w[len(p) :]
            return w

        def in_context(a: int, prefix: str) -> bool:
            if a - 1 in ctx_tokens or a in place_head_end or any(c in prefix for c in "بل"):
                return True
            return bool("و" in prefix and a > 0 and any(b == a for _, b, _, _ in by_kind.get("country", [])))

        places: list[Entity] = []
        actors: list[Entity] = []
        ok_country: list[tuple[int, int, int, str]] = []
        for a, b, idx, prefix in by_kind.get("country", []):
            c = rs.countries[idx]
            if c.unless_after and (prev_word(a) in c.unless_after or toks[a - 1].text in c.unless_after if a else False):
                continue
            if c.needs_context and not in_context(a, prefix) and (b not in country_starts):
                continue
            ok_country.append((a, b, idx, prefix))

        def with_head(a: int, prefix: str) -> tuple[int, str]:
            h = place_head_end.get(a)
            return (h[0], h[1]) if h else (a, prefix)

        for a, b, idx, prefix in ok_country:
            c = rs.countries[idx]
            s0, p0 = with_head(a, prefix)
            places.append(Entity(s0, b, PlaceRef(c.name, "country", c.name, -1), p0))
            actors.append(Entity(a, b, ActorRef(c.government, "State forces", "government", c.name), prefix))
        for a, b, idx, prefix in by_kind.get("place", []):
            p = rs.places[idx]
            if p.needs_context and not in_context(a, prefix):
                continue
            s0, p0 = with_head(a, prefix)
            places.append(Entity(s0, b, PlaceRef(p.name, p.kind, p.country, idx), p0))
        for a, b, idx, prefix in by_kind.get("capital", []):
            c = rs.countries[idx]
            actors.append(Entity(a, b, ActorRef(c.government, "State forces", "government", c.name, metonym=True), prefix))
        for a, b, idx, prefix in by_kind.get("actor", []):
            x = rs.actors[idx]
            actors.append(Entity(a, b, ActorRef(x.name, x.inter, x.kind, x.country), prefix))
        # Head + nationality or country: «وزير الخارجية الجزائري», «جيش مالي», «القوات المسلحة في النيجر».
        for kind, items in (("nisba", by_kind.get("nisba", [])), ("country", ok_country)):
            for a, b, idx, _prefix in items:
                cands = list(head_end.get(a, []))
                if kind == "country" and a - 1 in links:
                    cands += head_end.get(a - 1, [])
                if not cands:
                    continue
                h, hp, hk = min(cands, key=lambda x: x[0])
                c = rs.countries[idx]
                if hk == "mil_head":
                    ref = ActorRef(c.military, "State forces", "military", c.name)
                else:
                    ref = ActorRef(c.government, "State forces", "government", c.name)
                actors.append(Entity(h, b, ref, hp))
        for kind, akind in (("bare_gov", "government"), ("bare_mil", "military")):
            for a, b, _, prefix in by_kind.get(kind, []):
                actors.append(Entity(a, b, ActorRef(None, "State forces", akind, None, generic=True), prefix))
        armed_at: dict[int, Entity] = {}
        for e in actors:
            is_named = isinstance(e.ref, ActorRef) and e.ref.kind == "armed" and bool(e.ref.name)
            if is_named and (e.start not in armed_at or e.end > armed_at[e.start].end):
                armed_at[e.start] = e
        for kind, ana in (("armed_ana", True), ("armed_gen", False)):
            for a, b, _, prefix in by_kind.get(kind, []):
                named = armed_at.get(b)
                if named is not None:  # «مسلحو تنظيم القاعدة» is the named group
                    actors.append(Entity(a, named.end, named.ref, prefix))
                    continue
                ref = ActorRef(None, "Political militia", "armed", None, generic=True, anaphoric=ana)
                actors.append(Entity(a, b, ref, prefix))
        # «عناصر من الجماعة», «وحدات من الجيش النيجري»: a part of a group is the group.
        starts: dict[int, Entity] = {}
        for e in _outermost(actors):
            if e.start not in starts or e.end > starts[e.start].end:
                starts[e.start] = e
        parts = {a: (b, prefix) for kind in ("armed_gen", "mil_head") for a, b, _, prefix in by_kind.get(kind, [])}
        for a, (b, prefix) in sorted(parts.items()):
            whole = None
            if b < len(toks) and toks[b].text == "من" and b + 1 in starts:
                whole = starts[b + 1]  # «عناصر من الجماعة»
            elif b in starts and "ل" in starts[b].prefix:
                whole = starts[b]  # «أرتال للجيش المالي»
            if whole is not None:
                actors.append(Entity(a, whole.end, whole.ref, prefix))
        return _outermost(actors), _outermost(places)

    # -- patterns ----------------------------------------------------------------
    @staticmethod
    def fits(sent: Sentence, fixed: tuple[tuple[int, frozenset[int]], ...], a: int) -> bool:
        """Whether the words a variant needs right next to its anchor (token a) are there."""
        terms = sent.terms
        n = len(terms)
        for off, ids in fixed:
            p = a + off
            if not 0 <= p < n or ids.isdisjoint(terms[p]):
                return False
        return True

    def match(
        self, sent: Sentence, v: Variant, a: int, kinds: dict[str, tuple[str, ...]] | None = None
    ) -> tuple[int, int, dict[str, Entity]] | None:
        """Match variant `v` with its anchor at token `a`: (first, end, slots) or None.

        `kinds` limits what a slot role may bind (the rule's [rule.slots] kinds)."""
        for end, bind in self.walk(sent, v.right, 0, a + 1, 1, {}, kinds):
            for start, bind2 in self.walk(sent, v.left, 0, a - 1, -1, bind, kinds):
                return start, end, bind2
        return None

    def _gap_positions(self, sent: Sentence, pos: int, step: int, budget: int) -> list[int]:
        """Where a gap of at most `budget` words may end; a whole actor or place
        name counts as one word, so «فرض مسلحو جماعة نصرة الإسلام حصارا»
        fits a gap of one.  Many variants ask the same question: answers are kept."""
        key = (sent.index, pos, step, budget)
        got = self._gaps.get(key)
        if got is not None:
            return got
        n = len(sent.tokens)
        jkey = (sent.index, step)
        jumps = self._jumps.get(jkey)
        if jumps is None:
            jumps = self._jumps[jkey] = {}
            for ent in sent.actors + sent.places:
                if step > 0:
                    jumps[ent.start] = max(jumps.get(ent.start, ent.start + 1), ent.end)
                else:
                    jumps[ent.end - 1] = min(jumps.get(ent.end - 1, ent.end - 2), ent.start - 1)
        seen: set[int] = set()
        frontier = [pos]
        for _ in range(budget + 1):
            nxt: list[int] = []
            for p in frontier:
                if p < -1 or p > n or p in seen:
                    continue
                seen.add(p)
                if 0 <= p < n:
                    nxt.append(p + step)
                    j = jumps.get(p)
                    if j is not None:
                        nxt.append(j)
            frontier = nxt
        # Every step and jump moves the same way, so nearest first is sorted order.
        got = self._gaps[key] = sorted(seen, reverse=step < 0)
        return got

    def walk(  # type: ignore[no-untyped-def]
        self, sent: Sentence, els: tuple[object, ...], k: int, pos: int, step: int, bind: dict[str, Entity],
        kinds: dict[str, tuple[str, ...]] | None = None,
    ):
        n = len(sent.tokens)
        if k == len(els):
            yield (pos if step > 0 else pos + 1), bind
            return
        el = els[k]
        if isinstance(el, Words):
            if 0 <= pos < n and not el.ids.isdisjoint(sent.terms[pos]):
                yield from self.walk(sent, els, k + 1, pos + step, step, bind, kinds)
            return
        if isinstance(el, Gap):
            after = els[k + 1] if k + 1 < len(els) else None
            if isinstance(after, Words):
                # Most gaps end at a word: test it here, not in one more generator per position.
                ids, terms = after.ids, sent.terms
                for p in self._gap_positions(sent, pos, step, el.max):
                    if 0 <= p < n and not ids.isdisjoint(terms[p]):
                        yield from self.walk(sent, els, k + 2, p + step, step, bind, kinds)
                return
            for p in self._gap_positions(sent, pos, step, el.max):
                yield from self.walk(sent, els, k + 1, p, step, bind, kinds)
            return
        assert isinstance(el, Slot)
        if el.type == "NUMBER":
            if 0 <= pos < n and sent.tokens[pos].text[0].isdigit():
                yield from self.walk(sent, els, k + 1, pos + step, step, bind, kinds)
            return
        pool = sent.actors if el.type == "ACTOR" else sent.places
        for ent in pool:
            if (ent.start if step > 0 else ent.end - 1) != pos:
                continue
            if el.clitic and el.clitic not in ent.prefix:
                continue
            if el.role and el.role in bind:
                continue
            allowed = kinds.get(el.role) if kinds and el.role else None
            if allowed and getattr(ent.ref, "kind", None) not in allowed:
                continue
            nb = dict(bind)
            if el.role:
                nb[el.role] = ent
            yield from self.walk(sent, els, k + 1, ent.end if step > 0 else ent.start - 1, step, nb, kinds)


def count_countries(data: bytes, rs: RuleSet, counts: dict[int, list[int]], base: int = 0) -> None:
    """Add the country names of normalised UTF-8 `data` to `counts` (country ->
    [mentions, first byte offset]); `base`: where `data` starts in the document's bytes.
    Byte offsets throughout: only the order of first mentions matters."""
    hits = rs.country_names.byte_hits(data, overlapping=True) if rs.country_names is not None else []
    for k, start, end in hits:
        before = char_before(data, start) or " "
        after = char_at(data, end) or " "
        if before.isalpha() and before not in "وبلفك" or after.isalpha() and after not in "هيو":
            continue  # inside another word
        c = counts.setdefault(rs.country_of_name[k], [0, base + start])
        c[0] += 1
        c[1] = min(c[1], base + start)


def main_of(counts: dict[int, list[int]], rs: RuleSet) -> str:
    """The country named most, ties going to the first named ("" for none)."""
    best = min(counts.items(), key=lambda kv: (-kv[1][0], kv[1][1]), default=None)
    return rs.countries[best[0]].name if best else ""


def _longest_first(e: Entity) -> tuple[int, int]:
    return e.start - e.end, e.start


def _span(e: Entity) -> tuple[int, int]:
    return e.start, e.end


def _outermost(ents: list[Entity]) -> list[Entity]:
    """Drop entities inside a longer one («القاعدة» inside «تنظيم القاعدة في بلاد المغرب»),
    and repeats of one entity; the rest in text order."""
    if len(ents) < 2:
        return list(ents)
    out: list[Entity] = []
    for e in sorted(ents, key=_longest_first):
        s, t = e.start, e.end
        for o in out:
            # Inside a longer one kept already, or the same span and referent.
            if o.start <= s and t <= o.end and (o.end - o.start > t - s or o.start == s and o.end == t and o.ref == e.ref):
                break
        else:
            out.append(e)
    out.sort(key=_span)
    return out
