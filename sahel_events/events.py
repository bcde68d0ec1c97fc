"""Events: identity, merging of mentions, and the output record.

ACLED's unit is one actor pair, one place, one day.  Two mentions in one
document are one event when they agree on family, type (sub_event_type, or
the PLOVER code for diplomatic events), actors, place and date; a field one
mention leaves empty does not conflict (the other mention fills it).
`event_id` hashes the merged identity, never the path or the rule.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .acled import INTER, disorder_type

_IDENTITY = ("family", "type_key", "actor1", "actor2", "location", "country", "event_date")
_MERGEABLE = ("actor1", "actor2", "location", "event_date")


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """One event of one document; `to_record()` gives the schema's record."""

    doc_id: str
    family: str
    event_type: str
    sub_event_type: str
    plover: str | None
    actor1: str | None
    inter1: str | None
    actor2: str | None
    inter2: str | None
    country: str | None
    iso: int | None
    region: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    event_date: str | None
    time_precision: int | None
    fatalities: int | None
    notes: str
    source: str | None
    rule_id: str
    rule_file: str
    rule_version: str
    confidence: float
    mentions: tuple[Mention, ...]
    tags: tuple[str, ...] = field(default=())
    assoc_actor_1: str | None = None
    assoc_actor_2: str | None = None
    # The country was inferred from the document, not read at this mention:
    # it gives way to a mention that names it.
    country_from_context: bool = field(default=False, compare=False)

    @property
    def type_key(self) -> str:
        return self.plover if self.family == "diplomatic" and self.plover else self.sub_event_type

    def identity(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in _IDENTITY)

    @property
    def event_id(self) -> str:
        key = "\x1f".join("" if v is None else str(v) for v in self.identity())
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def compatible(self, other: Event) -> bool:
        if (self.family, self.type_key) != (other.family, other.type_key):
            return False
        if self.country != other.country and not (self.country_from_context or other.country_from_context):
            return False
        for k in _MERGEABLE:
            a, b = getattr(self, k), getattr(other, k)
            if a is not None and b is not None and a != b and not (k == "actor1" and _unnamed(a) != _unnamed(b)):
                return False
        return True

    def merged(self, other: Event, with_mentions: bool = True) -> Event:
        """This event with the other's mentions and the fields it lacked."""
        changes: dict[str, Any] = {}
        if self.country_from_context and not other.country_from_context:
            for k in ("country", "iso", "region"):
                changes[k] = getattr(other, k)
            changes["country_from_context"] = False
        if self.location is None and other.location is not None:
            for k in ("location", "admin1", "latitude", "longitude", "geo_precision"):
                changes[k] = getattr(other, k)
        for a, inter in (("actor1", "inter1"), ("actor2", "inter2")):
            mine, theirs = getattr(self, a), getattr(other, a)
            if theirs is not None and (mine is None or _unnamed(mine) and not _unnamed(theirs)):
                changes[a] = getattr(other, a)
                changes[inter] = getattr(other, inter)
        if self.event_date is None and other.event_date is not None:
            changes["event_date"] = other.event_date
            changes["time_precision"] = other.time_precision
        if self.fatalities is None and other.fatalities is not None:
            changes["fatalities"] = other.fatalities
        for k in ("assoc_actor_1", "assoc_actor_2"):
            if getattr(self, k) is None and getattr(other, k) is not None:
                changes[k] = getattr(other, k)
        if with_mentions:
            changes["mentions"] = _union(self.mentions, other.mentions)
        changes["confidence"] = max(self.confidence, other.confidence)
        changes["tags"] = tuple(sorted(set(self.tags) | set(other.tags)))
        return replace(self, **changes)

    def to_record(self) -> dict[str, Any]:
        ev = self.mentions[0]
        year = int(self.event_date[:4]) if self.event_date else None
        return {
            "event_id": self.event_id,
            "doc_id": self.doc_id,
            "family": self.family,
            "event_date": self.event_date,
            "year": year,
            "time_precision": self.time_precision,
            "disorder_type": disorder_type(self.event_type),
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "actor1": self.actor1,
            "assoc_actor_1": self.assoc_actor_1,
            "inter1": self.inter1,
            "actor2": self.actor2,
            "assoc_actor_2": self.assoc_actor_2,
            "inter2": self.inter2,
            "interaction": interaction(self.inter1, self.inter2),
            "civilian_targeting": None,
            "iso": self.iso,
            "region": self.region,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": None,
            "admin3": None,
            "location": self.location,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geo_precision": self.geo_precision,
            "source": self.source,
            "source_scale": None,
            "notes": self.notes,
            "fatalities": self.fatalities,
            "tags": list(self.tags),
            "timestamp": None,
            "evidence": {"text": ev.text, "start": ev.start, "end": ev.end},
            "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in self.mentions],
            "rule": {"id": self.rule_id, "file": self.rule_file, "version": self.rule_version},
            "confidence": round(self.confidence, 3),
            "plover": self.plover,
        }


def interaction(a: str | None, b: str | None) -> str | None:
    """ACLED's interaction: the two categories in ACLED's order, or 'X only'."""
    cats = sorted({c for c in (a, b) if c}, key=INTER.index)
    if not cats:
        return None
    if len(cats) == 1:
        return f"{cats[0]} only" if not (a and b) else f"{cats[0]}-{cats[0]}"
    return "-".join(cats)


def _unnamed(actor: str | None) -> bool:
    """«جهاديون يفرضون حصارا» before the group is named: the same act as the named group's."""
    return actor is not None and actor.startswith("Unidentified Armed Group")


def merge(events: list[Event]) -> list[Event]:
    """Merge mentions of one event, in document order (first mention first)."""
    m = Merger()
    m.add(events)
    return m.result()


def _first_mention(e: Event) -> tuple[int, int, str]:
    return e.mentions[0].start, e.mentions[0].end, e.rule_id


class Merger:
    """`merge` fed in parts: a large document's windows one after the other.

    Each part's mentions must all follow the previous parts' (as windows do):
    the events are then taken in the same order as `merge` takes them all."""

    __slots__ = ("_extra", "_kinds", "_out")

    def __init__(self) -> None:
        self._out: list[Event] = []
        self._extra: list[list[Mention]] = []  # mentions gathered, joined once at the end
        # (family, type) -> the events of `out` of that kind, in order: only they can be
        # compatible, so a large document's mention is not compared with every event.
        self._kinds: dict[tuple[str, str], list[int]] = {}

    def add(self, events: list[Event]) -> None:
        out, extra = self._out, self._extra
        for e in sorted(events, key=_first_mention):
            same = self._kinds.setdefault((e.family, e.type_key), [])
            for i in same:
                o = out[i]
                if o.compatible(e):
                    out[i] = o.merged(e, with_mentions=False)
                    extra[i].extend(e.mentions)
                    break
            else:
                same.append(len(out))
                out.append(e)
                extra.append([])

    def result(self) -> list[Event]:
        return [replace(o, mentions=_union(o.mentions, more)) if more else o for o, more in zip(self._out, self._extra, strict=True)]


def _union(a: tuple[Mention, ...] | list[Mention], b: tuple[Mention, ...] | list[Mention]) -> tuple[Mention, ...]:
    return tuple(sorted(set(a) | set(b), key=lambda m: (m.start, m.end)))


# Opens only where a run of spaces opens (the lookbehind): `sub` would otherwise
# try every space of a long run and walk the rest of it each time.
_YEARS = re.compile(r"(?<!\s)\s*\(\d{4}-\d{0,4}\)$")


def short_name(name: str | None) -> str | None:
    """«JNIM: Group for …» → «JNIM»; «Government of Mali (2021-)» → «the Government of Mali»."""
    if not name:
        return None
    name = _YEARS.sub("", name)
    if ": " in name:
        return name.split(": ", 1)[0]
    if name.startswith(("Government of", "Military Forces of", "Police Forces of")):
        return "the " + name
    return name


def fill_note(template: str, values: dict[str, str | None]) -> str:
    """Fill «{actor1|An armed group} imposed a blockade on {location|the area}.»"""

    def sub(m: re.Match[str]) -> str:
        key, _, default = m.group(1).partition("|")
        v = values.get(key)
        return v if v else (default or "an unidentified actor")

    text = re.sub(r"\{([^{}]+)\}", sub, template)
    return text[:1].upper() + text[1:]
