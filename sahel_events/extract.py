"""The front door: `Extractor(rules).extract(text, meta) -> list[Event]`.

Pipeline: match rule patterns around anchors → fill slots (actors, places)
→ judge (negation, speculation, plans, history) → merge mentions of one
event → records.  `candidates()` keeps the dropped ones with their reason,
for `explain` and for rule authors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from dataclasses import dataclass, field, replace

from .dates import latest_explicit_date
from .events import Event, Mention, Merger, fill_note, merge, short_name
from .judge import judge
from .match import ActorRef, Document, Entity, PlaceRef, Sentence, count_countries, main_of, tense
from .numbers import find_fatalities, total_fatalities
from .rules import Rule, RuleSet, SlotSpec, load_rules
from .scan import utf8
from .text import Normalized, normalize, windows

_PREP = ("ب", "ل", "ك")

# A document longer than LARGE characters is read in windows of at most WINDOW
# characters (see `text.windows`), so that memory is bounded however long it is.
# Anything shorter than 1 MiB is read whole, as it always was.
LARGE = 1 << 20
WINDOW = 1 << 18
_KEEP = 1 << 23  # normalised characters the first pass keeps for the second (16 MB of Arabic); the rest is normalised again
_LOOK_BACK = 4  # sentences an antecedent or a missing actor is looked for in (see _antecedent)
_UNKNOWN = object()  # the reference date, not worked out yet


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What is known of a document besides its text."""

    doc_id: str = "stdin"
    published: str | None = None  # YYYY-MM-DD
    source: str | None = None
    url: str | None = None


@dataclass(slots=True)
class Candidate:
    """A rule match, before or after judgement; `dropped` says why it is no event."""

    rule: Rule
    sentence: int
    start: int  # token span in the sentence
    end: int
    anchor: int
    anchor_term: int
    slots: dict[str, Entity] = field(default_factory=dict)
    fallback: set[str] = field(default_factory=set)
    locations: list[Entity] = field(default_factory=list)
    targets: list[Entity] = field(default_factory=list)
    dropped: str | None = None
    cue: str = ""
    span: tuple[int, int] = (0, 0)  # original character offsets


class Extractor:
    """Compiled rules plus the pipeline; picklable, so a process pool can ship it."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        self._kinds = [{s.role: s.kinds for s in r.slots if s.kinds} for r in self.rules.rules]
        self._order = {r.id: i for i, r in enumerate(self.rules.rules)}

    def extract(self, text: str, meta: DocMeta | None = None) -> list[Event]:
        meta = meta or DocMeta(doc_id="stdin:" + _sha256(text)[:12])
        events = self._whole(text, meta) if len(text) <= LARGE else self._windowed(text, meta)
        if meta.published:
            # Reported without a date of its own: the publication date, known to a week (ACLED precision 2).
            events = [e if e.event_date else replace(e, event_date=meta.published[:10], time_precision=2) for e in events]
        return events

    def _whole(self, text: str, meta: DocMeta) -> list[Event]:
        """The events of a document read as one piece."""
        doc = Document(text, self.rules)
        cands, ref = self._candidates(doc, meta)
        return merge([ev for c in cands if c.dropped is None for ev in self._events(doc, c, meta, ref)])

    def _windowed(self, text: str, meta: DocMeta) -> list[Event]:
        """The events of a large document, read one window at a time.

        What a document carries from sentence to sentence is carried from window
        to window: the reference date and the main country (found by a first pass
        over every window), the actors of the last sentences (antecedents and
        missing actors), and the merging of mentions into events.  Only the
        windows' ends differ from reading it whole (see `text.windows`)."""
        rs = self.rules
        spans = windows(text, WINDOW)
        ref = _published(meta)
        dated = ref is not None or rs.dates is None
        counts: dict[int, list[int]] = {}
        base = 0
        kept: list[tuple[str, frozenset[str], list[tuple[int, frozenset[str]]] | None] | None] = []  # for the second pass
        room = _KEEP
        for a, b in spans:  # the first pass: what the whole document decides
            norm = normalize(text[a:b])
            if not dated:
                assert rs.dates is not None
                got = latest_explicit_date(norm.text, rs.dates, ref)  # only what could beat the latest so far
                if got is not None and (ref is None or got > ref):
                    ref = got
            data = utf8(norm.text)
            count_countries(data, rs, counts, base)
            base += len(data)
            room -= len(norm.text)
            kept.append((norm.text, norm.changed, norm.blocks) if room >= 0 else None)
        main = main_of(counts, rs)
        merger = Merger()
        before: deque[list[Entity]] = deque(maxlen=_LOOK_BACK)
        for k, (a, b) in enumerate(spans):
            window = text[a:b]
            got_norm, kept[k] = kept[k], None
            again = Normalized(window, *got_norm) if got_norm is not None else None
            doc = Document(window, rs, offset=a, before=tuple(before), main=main, norm=again)
            cands, _ = self._candidates(doc, meta, ref)
            merger.add([ev for c in cands if c.dropped is None for ev in self._events(doc, c, meta, ref)])
            before.extend(doc.last_actors(_LOOK_BACK))
        return merger.result()

    def candidates(self, text: str, meta: DocMeta | None = None) -> list[Candidate]:
        """Every match with its verdict (for explain and rule tests)."""
        return self._candidates(Document(text, self.rules), meta or DocMeta(), every_span=True)[0]

    # -- stages ----------------------------------------------------------------
    def _candidates(
        self, doc: Document, meta: DocMeta, known: object = _UNKNOWN, every_span: bool = False
    ) -> tuple[list[Candidate], dt.date | None]:
        """Every match of the document with its verdict, and the reference date
        (`known`: the reference date when the caller has worked it out).  The
        original span is worked out for the matches that give events, or for
        all of them with `every_span`."""
        rs = self.rules
        out: list[Candidate] = []
        kinds_of = self._kinds
        anchored = doc.anchor_sentences()
        ref_known = known is not _UNKNOWN
        ref: dt.date | None = known if isinstance(known, dt.date) else None
        for si in anchored:
            sent = doc.sentence(si)
            found: dict[tuple[int, int], Candidate] = {}
            for a, terms in enumerate(sent.terms):
                for tid in terms:
                    for ridx, v, fixed in rs.variants.get(tid, ()):
                        if not doc.fits(sent, fixed, a):
                            continue
                        m = doc.match(sent, v, a, kinds_of[ridx])
                        if m is None:
                            continue
                        start, end, bind = m
                        key = (ridx, a)
                        old = found.get(key)
                        if old is None or (len(bind), end - start) > (len(old.slots), old.end - old.start):
                            found[key] = Candidate(rs.rules[ridx], si, start, end, a, tid, dict(bind))
            cands = sorted(found.values(), key=lambda c: (c.start, c.anchor, c.rule.id))
            _drop_contained(cands)
            if cands and not ref_known:  # the reference date is worked out once, and only when needed
                ref, ref_known = _reference(doc, meta), True
            for c in cands:
                if every_span:
                    c.span = doc.orig_span(sent, c.start, c.end)
                if c.dropped is None:
                    self._judge(doc, sent, c, ref)
                if c.dropped is None:
                    self._fill(doc, sent, c)
            # The same words matched by several rules of a family: the first that
            # survives judgement and slot filling wins (priority, then file order).
            winners: dict[tuple[str, int, int], Candidate] = {}
            for c in sorted(cands, key=lambda c: (-c.rule.priority, self._order[c.rule.id])):
                if c.dropped is not None:
                    continue
                same = winners.setdefault((c.rule.family, c.start, c.end), c)
                if same is not c:
                    c.dropped = f"merged into {same.rule.id}"
            if not every_span:  # offsets back to the original only where an event needs them
                for c in winners.values():
                    c.span = doc.orig_span(sent, c.start, c.end)
            out.extend(cands)
        return out, ref

    def _judge(self, doc: Document, sent: Sentence, c: Candidate, ref: dt.date | None) -> None:
        form, prefix, _ = _anchor_info(doc, sent, c)
        v = judge(doc, sent, c.rule.family, c.start, c.anchor, tense(form, prefix, doc.rules.morph), ref)
        if v.reason:
            c.dropped, c.cue = v.reason, v.cue_text

    def _fill(self, doc: Document, sent: Sentence, c: Candidate) -> None:
        for spec in c.rule.slots:
            if spec.role in c.slots:
                continue
            ent = _nearest(doc, sent, c, spec)
            if ent is None and spec.fallback and spec.source == "actors":
                ent = _look_back(doc, sent.index, spec)
                if ent is not None:
                    c.fallback.add(spec.role)
            if ent is not None:
                c.slots[spec.role] = ent
            elif spec.required:
                c.dropped = f"no {spec.role}"
                return
        loc = c.slots.get("location")
        if loc is not None:
            c.locations = [loc] + _coordinated(sent, loc, sent.places)
        target = c.slots.get("actor2")
        if target is not None and c.rule.family == "diplomatic":
            # «باستدعاء سفرائها لدى النيجر ومالي»: one act towards two governments is two events.
            c.targets = [target] + _coordinated(sent, target, sent.actors)

    def _events(self, doc: Document, c: Candidate, meta: DocMeta, ref: dt.date | None) -> list[Event]:
        rs = self.rules
        sent = doc.sentence(c.sentence)
        event_date, precision = _event_date(doc, sent, c, ref)
        fatalities, tags = _fatalities_and_tags(doc, sent, c)
        mention = Mention(doc.offset + c.span[0], doc.offset + c.span[1], doc.original[c.span[0] : c.span[1]])
        out = []
        locs: list[Entity | None] = list(c.locations) or [None]
        tgts: list[Entity | None] = list(c.targets) or [c.slots.get("actor2")]
        pairs = [(loc, tgt) for loc in locs for tgt in tgts]
        for loc, target in pairs:
            place = loc.ref if loc is not None else None
            assert place is None or isinstance(place, PlaceRef)
            a1 = _resolve(doc, c.sentence, c.slots.get("actor1"), None, rs)
            a2 = _resolve(doc, c.sentence, target, None, rs)
            country: str | None
            if place is not None:
                country = place.country
            elif c.rule.family == "diplomatic":
                country = (
                    (a2[1].country if a2[1] and a2[1].country else None)
                    or doc.main_country()
                    or (a1[1].country if a1[1] else None)
                )
            else:
                country = _clause_country(sent, c) or doc.main_country()
            home = doc.main_country() if c.rule.family == "diplomatic" else country
            a1 = _resolve(doc, c.sentence, c.slots.get("actor1"), home or country, rs)
            a2 = _resolve(doc, c.sentence, target, country, rs)
            from_context = place is None and not (c.rule.family == "diplomatic" and a2[1] and a2[1].country)
            if (
                c.rule.family == "diplomatic"
                and a2[1] is not None
                and a2[1].kind == "military"
                and a2[1].country in rs.country_index
            ):
                # Diplomacy is coded state to state: a target's armed forces stand for its government.
                gov = rs.countries[rs.country_index[a2[1].country]].government
                a2 = (gov, ActorRef(gov, "State forces", "government", a2[1].country))
            if a2[0] is not None and (
                a2[0] == a1[0] or c.rule.family == "diplomatic" and a1[1] and a2[1] and a1[1].country == a2[1].country
            ):
                a2 = (None, None)
            assoc1 = _allied(doc, sent, c.slots.get("actor1"), c, country)
            assoc2 = _allied(doc, sent, target, c, country) if len(tgts) == 1 else None
            cinfo = rs.countries[rs.country_index[country]] if country in rs.country_index else None
            town = place if place is not None and place.kind != "country" else None
            pinfo = rs.places[town.place] if town is not None and town.place >= 0 else None
            inter1 = _inter(a1, country)
            inter2 = _inter(a2, country)
            note = fill_note(
                c.rule.note,
                {
                    "actor1": short_name(a1[0]),
                    "actor2": short_name(a2[0]),
                    "location": town.name if town else None,
                    "country": country,
                },
            )
            out.append(
                Event(
                    doc_id=meta.doc_id,
                    family=c.rule.family,
                    event_type=c.rule.event_type,
                    sub_event_type=c.rule.sub_event_type,
                    plover=c.rule.plover,
                    actor1=a1[0],
                    inter1=inter1,
                    actor2=a2[0],
                    inter2=inter2,
                    assoc_actor_1=assoc1,
                    assoc_actor_2=assoc2,
                    country=country,
                    iso=cinfo.iso if cinfo else None,
                    region=cinfo.region if cinfo else None,
                    admin1=pinfo.admin1 if pinfo else None,
                    location=town.name if town else None,
                    latitude=pinfo.latitude if pinfo else None,
                    longitude=pinfo.longitude if pinfo else None,
                    geo_precision=_geo_precision(sent, loc, pinfo) if place is not None else (3 if country else None),
                    event_date=event_date,
                    time_precision=precision,
                    fatalities=fatalities,
                    notes=note,
                    source=meta.source,
                    rule_id=c.rule.id,
                    rule_file=c.rule.file.rsplit("/", 1)[-1],
                    rule_version=rs.digest,
                    confidence=max(0.0, c.rule.confidence - 0.1 * len(c.fallback)),
                    mentions=(mention,),
                    tags=tags,
                    country_from_context=from_context,
                )
            )
        return out


def _dateline(doc: Document, sent: Sentence, ent: Entity) -> bool:
    """«باريس – دعت وزارة …»: a place of filing, not an actor."""
    nxt = sent.tokens[ent.end].start if ent.end < len(sent.tokens) else sent.end
    return any(ch in doc.norm.text[sent.tokens[ent.end - 1].end : nxt] for ch in "–—-:")


def _distance_from(sent: Sentence, ent: Entity) -> bool:
    """«على بعد 30 كيلومترا من كولوكاني»: the place a distance is measured from."""
    before = [t.text for t in sent.tokens[max(0, ent.start - 5) : ent.start]]
    return before[-1:] == ["من"] and any(w in ("بعد", "ببعد", "مسافه") for w in before)


_NEAR = frozenset({"قرب", "بالقرب", "محيط", "ضواحي", "مشارف", "اطراف", "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "حول", "نواحي"})


def _geo_precision(sent: Sentence, loc: Entity | None, pinfo: object) -> int:
    """ACLED: 1 the town itself, 2 near it («قرب», «على بعد 30 كلم من»), 3 a region or a country."""
    if loc is None or not isinstance(loc.ref, PlaceRef) or loc.ref.kind != "town":
        return 3
    before = [t.text for t in sent.tokens[max(0, loc.start - 4) : loc.start]]
    words = {w[1:] if w[:1] in "وب" and w[1:] in _NEAR else w for w in before[-2:]}
    if words & _NEAR or _distance_from(sent, loc):
        return 2
    return 1


def _allied(doc: Document, sent: Sentence, ent: Entity | None, c: Candidate, country: str | None) -> str | None:
    """An ally named with the actor: «الجيش المالي وعناصر فاغنر» → Wagner Group."""
    if ent is None:
        return None
    taken = {(e.start, e.end) for e in c.slots.values()}
    for other in sent.actors:
        if other.start == ent.end and "و" in other.prefix and (other.start, other.end) not in taken:
            name, _ = _resolve(doc, c.sentence, other, country, doc.rules)
            return name
    return None


def _drop_contained(cands: list[Candidate]) -> None:
    """Within a family, a match inside a longer one is part of it («تقترب من
    السيطرة على باماكو» is an approach, not a takeover), even when the longer
    one is then judged no event.  One sweep by start: O(n log n), however many
    triggers a sentence holds."""
    by_family: dict[str, list[Candidate]] = {}
    for c in cands:
        by_family.setdefault(c.rule.family, []).append(c)
    for group in by_family.values():
        group.sort(key=lambda c: (c.start, -c.end))
        before: Candidate | None = None  # the furthest-reaching match that starts earlier
        same: Candidate | None = None  # the longest match with the current start
        for c in group:
            if same is None or c.start != same.start:
                if same is not None and (before is None or same.end > before.end):
                    before = same
                same = c
            container = before if before is not None and before.end >= c.end else same if same.end > c.end else None
            if container is not None:
                c.dropped = f"merged into {container.rule.id}"


def _anchor_info(doc: Document, sent: Sentence, c: Candidate) -> tuple[str, str, str]:
    return sent.terms[c.anchor][c.anchor_term]


def _published(meta: DocMeta) -> dt.date | None:
    if meta.published:
        try:
            return dt.date.fromisoformat(meta.published[:10])
        except ValueError:
            pass
    return None


def _reference(doc: Document, meta: DocMeta) -> dt.date | None:
    """The date events are dated against: publication, else the latest date the text names with its year."""
    got = _published(meta)
    if got is not None or doc.rules.dates is None:
        return got
    return latest_explicit_date(doc.norm.text, doc.rules.dates)


def _sha256(text: str) -> str:
    """SHA-256 of the text's UTF-8, encoded a window at a time (a 50 MB text would double in memory)."""
    h = hashlib.sha256()
    for i in range(0, len(text), WINDOW):
        h.update(text[i : i + WINDOW].encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _event_date(doc: Document, sent: Sentence, c: Candidate, ref: dt.date | None) -> tuple[str | None, int | None]:
    """The date expression nearest the trigger, in its clause first, else in its sentence.

    An ongoing state («منذ سبتمبر الماضي») is dated from its start; a range
    («الأسبوع الماضي», «أواخر أكتوبر») by its first day, with ACLED's precision."""
    found = doc.dates_in(sent, ref)
    if not found:
        return None, None
    clause = sent.clause[c.anchor]
    same = [(k, m) for k, m in found if sent.clause[k] == clause]
    if not same:
        # A time adverbial set off by commas next to the trigger's clause:
        # «وأمس الثلاثاء، أضرم المسلحون …», «وقّع الرؤساء، السبت 6 جويلية 2024، معاهدة …».
        size = {c: sum(1 for x in sent.clause if x == c) for c in (clause - 1, clause + 1)}
        same = [
            (k, m) for k, m in found
            if sent.clause[k] in size and size[sent.clause[k]] <= len(doc.norm.text[m.start : m.end].split()) + 2
        ]
    if not same:
        return None, None
    k, m = min(same, key=lambda km: (abs(km[0] - c.anchor), km[0]))
    return m.lo.isoformat(), m.precision


_VIOLENT = ("Battles", "Violence against civilians", "Explosions/Remote violence")


def _clause_chars(sent: Sentence, clause: int) -> tuple[int, int]:
    ks = [k for k, c in enumerate(sent.clause) if c == clause]
    return sent.tokens[ks[0]].start, sent.tokens[ks[-1]].end


def _fatalities_and_tags(doc: Document, sent: Sentence, c: Candidate) -> tuple[int | None, tuple[str, ...]]:
    """Deaths reported in the trigger's clause (violent events only; null when none
    is stated) and ACLED-style attribution tags of its sentence."""
    g = doc.rules.numbers
    if g is None:
        return None, ()
    tags = doc.tags_in(sent)
    if c.rule.event_type not in _VIOLENT:
        return None, tags
    a, b = _clause_chars(sent, sent.clause[c.anchor])
    found = find_fatalities(doc.norm.text, g, a, b) or find_fatalities(doc.norm.text, g, sent.start, sent.end)
    return total_fatalities(found), tags


def _usable(ent: Entity, spec: SlotSpec, c: Candidate) -> bool:
    if spec.source == "actors":
        if not isinstance(ent.ref, ActorRef):
            return False
        if ent.ref.metonym and not spec.metonyms:
            return False
        if spec.kinds and ent.ref.kind not in spec.kinds:
            return False
    elif spec.source == "places":
        if not isinstance(ent.ref, PlaceRef):
            return False
        if spec.kinds and ent.ref.kind not in spec.kinds:
            return False
    for other in c.slots.values():
        if ent.start < other.end and other.start < ent.end:
            return False
    return not (ent.start <= c.anchor < ent.end)


_PREP_WORDS = frozenset(
    {"مع", "من", "الي", "علي", "عن", "في", "لدي", "ضد", "نحو", "حول", "بين", "عبر", "تجاه", "امام", "مقابل", "بشان"}
)


def _nearest(doc: Document, sent: Sentence, c: Candidate, spec: SlotSpec) -> Entity | None:
    """The entity that best fills a slot near the match.

    Distances count from the match's first word (the verb or verbal noun).
    A subject (actor1, searched around) is right after the verb (VSO, up to
    three words on) or before it (SVO), never the object of a preposition."""
    pool = sent.actors if spec.source == "actors" else sent.places if spec.source == "places" else []
    clause = sent.clause[c.anchor]
    subject = spec.role == "actor1" and spec.search == "around"
    other_country = None
    if spec.role == "actor2" and "actor1" in c.slots:
        ref1 = c.slots["actor1"].ref
        other_country = ref1.country if isinstance(ref1, ActorRef) else None
    best: tuple[tuple[int, int, int], Entity] | None = None
    skipped_end = -1
    for ent in pool:
        if not _usable(ent, spec, c):
            continue
        if spec.within == "clause" and sent.clause[min(ent.start, len(sent.clause) - 1)] != clause:
            continue
        if other_country and isinstance(ent.ref, ActorRef) and ent.ref.country == other_country:
            continue
        after = ent.start > c.start
        if spec.search == "before" and after or spec.search == "after" and not after:
            continue
        if ent.start == 0 and _dateline(doc, sent, ent):
            continue
        prev = sent.tokens[ent.start - 1].text if ent.start > 0 else ""
        skip = spec.unless_after and (prev in spec.unless_after or prev[1:] in spec.unless_after and prev[:1] in "وف")
        if skip and not _distance_from(sent, ent) or ent.start == skipped_end and "و" in ent.prefix:
            skipped_end = ent.end  # «القادمة من غاو والنيجر»: both are origins
            continue
        dist = ent.start - c.start if after else c.start - ent.end
        prep = any(p in ent.prefix for p in _PREP) or prev in _PREP_WORDS
        if subject:
            if prep or (after and dist > 3):
                continue
            # In the verb's clause first; there, right before the verb (SVO
            # headline) beats right after it (VSO), which beats further before.
            other = 0 if sent.clause[min(ent.start, len(sent.clause) - 1)] == clause else 1
            key = (other, 0 if not after and dist <= 1 else 1 if after else 2, dist)
        elif spec.source == "actors":
            key = (0, 0, dist)
        else:
            key = (0, 0 if after else 1, dist)
        if best is None or key < best[0]:
            best = (key, ent)
    return best[1] if best else None


def _look_back(doc: Document, si: int, spec: SlotSpec) -> Entity | None:
    """The latest fitting actor of up to three earlier sentences."""
    for j in range(si - 1, si - 4, -1):  # before sentence 0: the previous window's (none when read whole)
        for ent in reversed(doc.actors_of(j)):
            ref = ent.ref
            assert isinstance(ref, ActorRef)
            if ref.generic or ref.metonym and not spec.metonyms:
                continue
            if spec.kinds and ref.kind not in spec.kinds:
                continue
            return ent
    return None


def _coordinated(sent: Sentence, first: Entity, pool: list[Entity]) -> list[Entity]:
    """Entities joined to the first by «و»: one act at several places (or towards
    several governments) is one event each.

    «الطريق بين غاو وأنسونغو» names the ends of one road: one event, at the first."""
    out: list[Entity] = []
    if first.start > 0 and sent.tokens[first.start - 1].text in ("بين", "وبين"):
        return out
    end = first.end
    kind = type(first.ref)
    for ent in pool:
        if ent.start == end and "و" in ent.prefix and isinstance(ent.ref, kind):
            out.append(ent)
            end = ent.end
    return out


def _clause_country(sent: Sentence, c: Candidate) -> str | None:
    clause = sent.clause[c.anchor]
    for ent in sent.places:
        if sent.clause[ent.start] == clause:
            assert isinstance(ent.ref, PlaceRef)
            return ent.ref.country
    return None


def _resolve(doc: Document, si: int, ent: Entity | None, country: str | None, rs: RuleSet) -> tuple[str | None, ActorRef | None]:
    """ACLED name of the actor in a slot; generic mentions get their country or antecedent."""
    if ent is None:
        return None, None
    ref = ent.ref
    assert isinstance(ref, ActorRef)
    if not ref.generic:
        return ref.name, ref
    if ref.kind == "armed":
        if ref.anaphoric:
            ante = _antecedent(doc, si, ent.start)
            if ante is not None:
                return ante.name, ante
        name = f"Unidentified Armed Group ({country})" if country else "Unidentified Armed Group"
        return name, ActorRef(name, "Political militia", "armed", country)
    c = rs.countries[rs.country_index[country]] if country in rs.country_index else None
    if c is None:
        return None, None
    name = c.military if ref.kind == "military" else c.government
    return name, ActorRef(name, "State forces", ref.kind, c.name)


def _antecedent(doc: Document, si: int, before: int) -> ActorRef | None:
    """The armed group named last before token `before` of sentence `si` (four sentences back at most)."""
    for j in range(si, si - _LOOK_BACK - 1, -1):
        for ent in reversed(doc.actors_of(j)):
            if j == si and ent.start >= before:
                continue
            r = ent.ref
            if isinstance(r, ActorRef) and r.kind == "armed" and r.name and not r.generic:
                return r
    return None


def _inter(a: tuple[str | None, ActorRef | None], country: str | None) -> str | None:
    name, ref = a
    if name is None or ref is None:
        return None
    if ref.kind in ("government", "military") and ref.country and country and ref.country != country:
        return "External/Other forces"
    return ref.inter
