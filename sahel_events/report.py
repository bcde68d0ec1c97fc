"""One self-contained HTML page of event records, for an analyst's browser or printer.

`render_report(records, texts)` gives counts per family and per country, a timeline of
events per week, a map of the region and a sortable table with each event's evidence
in its sentence. Nothing is fetched: the CSS, the one small script and the SVG are
inline, and a Content-Security-Policy allowing only those two (by hash) forbids every
request. Records come from files, so every value is escaped, and checked for its
type before it is used as a number. Same records and texts, same bytes: no clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from . import __version__
from .report_svg import Dated, Point, in_region, map_svg, outlines, radius, timeline_svg

KNOWN_FAMILIES = ("blockade", "advance", "diplomatic")
# Okabe-Ito: told apart with the common colour-vision deficiencies, and in greyscale print
PALETTE = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c6d31", "#444444")
SENTENCE_END = re.compile(r"[.!?؟\n]")
MAX_SIDE = 240  # characters of context kept on each side of the evidence
MAX_MENTIONS = 3  # other mentions shown in their sentences under the evidence
TIME_PRECISION = {1: "day", 2: "week or range", 3: "month or coarser"}
GEO_PRECISION = {1: "the town", 2: "near the town", 3: "region or country only"}


def _e(v: object) -> str:
    return escape(str(v), quote=True)


def _str(v: Any) -> str | None:
    if v is None or isinstance(v, dict | list):
        return None
    return v if isinstance(v, str) else str(v)


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _num(v: Any, lo: float, hi: float) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) and lo <= f <= hi else None


def _date(v: Any) -> dt.date | None:
    if not isinstance(v, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Span:
    doc_id: str
    start: int | None
    end: int | None
    text: str


@dataclass(slots=True)
class Row:
    """One record, its values checked: what the report shows of it."""

    n: int
    doc_id: str
    family: str
    kind: str
    date: dt.date | None
    time_precision: int | None
    actor1: str | None
    actor2: str | None
    assoc: list[str]
    location: str | None
    admin1: str | None
    country: str | None
    iso: int | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    evidence: Span
    mentions: list[Span]
    rule: str
    confidence: float | None
    notes: str | None
    fatalities: int | None
    version: str | None
    tags: list[str] = field(default_factory=list)


def _span(m: Any, doc_id: str) -> Span | None:
    if not isinstance(m, Mapping):
        return None
    return Span(_str(m.get("doc_id")) or doc_id, _int(m.get("start")), _int(m.get("end")), _str(m.get("text")) or "")


def _row(n: int, rec: Mapping[str, Any]) -> Row:
    doc_id = _str(rec.get("doc_id")) or ""
    ev = _span(rec.get("evidence"), doc_id) or Span(doc_id, None, None, "")
    raw_mentions = rec.get("mentions")
    mentions = [s for m in (raw_mentions if isinstance(raw_mentions, list) else []) if (s := _span(m, doc_id))]
    raw_rule = rec.get("rule")
    rule: Mapping[str, Any] = raw_rule if isinstance(raw_rule, Mapping) else {}
    sub = _str(rec.get("sub_event_type"))
    etype = _str(rec.get("event_type"))
    plover = _str(rec.get("plover"))
    kind = " · ".join(x for x in (sub if sub != etype else None, etype, plover) if x)
    lat, lon = _num(rec.get("latitude"), -90, 90), _num(rec.get("longitude"), -180, 180)
    if lat is None or lon is None:
        lat = lon = None
    tags = rec.get("tags")
    return Row(
        n=n,
        doc_id=doc_id,
        family=_str(rec.get("family")) or "?",
        kind=kind,
        date=_date(rec.get("event_date")),
        time_precision=_int(rec.get("time_precision")),
        actor1=_str(rec.get("actor1")),
        actor2=_str(rec.get("actor2")),
        assoc=[a for a in (_str(rec.get("assoc_actor_1")), _str(rec.get("assoc_actor_2"))) if a],
        location=_str(rec.get("location")),
        admin1=_str(rec.get("admin1")),
        country=_str(rec.get("country")),
        iso=_int(rec.get("iso")),
        lat=lat,
        lon=lon,
        geo_precision=_int(rec.get("geo_precision")),
        evidence=ev,
        mentions=mentions or [ev],
        rule=_str(rule.get("id")) or "?",
        confidence=_num(rec.get("confidence"), 0, 1),
        notes=_str(rec.get("notes")),
        fatalities=_int(rec.get("fatalities")),
        version=_str(rule.get("version")),
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
    )


def _families(rows: Iterable[Row]) -> list[str]:
    """The shipped families in their usual order, then any other, alphabetically."""
    present = {r.family for r in rows}
    return [f for f in KNOWN_FAMILIES if f in present] + sorted(present - set(KNOWN_FAMILIES))


def _colour(family: str) -> str:
    """A family keeps its colour from report to report, whichever families a run has."""
    if family in KNOWN_FAMILIES:
        return PALETTE[KNOWN_FAMILIES.index(family)]
    h = int(hashlib.sha256(family.encode("utf-8", "replace")).hexdigest(), 16)
    return PALETTE[len(KNOWN_FAMILIES) + h % (len(PALETTE) - len(KNOWN_FAMILIES))]


# -- evidence in its sentence ---------------------------------------------------------
def _clip_left(s: str) -> str:
    if len(s) <= MAX_SIDE:
        return s
    cut = s[-MAX_SIDE:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut


def _clip_right(s: str) -> str:
    if len(s) <= MAX_SIDE:
        return s
    cut = s[:MAX_SIDE]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def _found(span: Span, texts: Mapping[str, str]) -> str | None:
    """The document's text when it holds the span's text at the span's offsets (else the record is not of this text)."""
    text = texts.get(span.doc_id)
    if text is None or span.start is None or span.end is None or not 0 <= span.start < span.end <= len(text):
        return None
    return text if text[span.start : span.end] == span.text else None


def sentence_html(span: Span, others: Sequence[Span], texts: Mapping[str, str], cls: str = "ev") -> tuple[str, list[Span]]:
    """The span highlighted in its sentence (when its document is at hand), else the span alone, highlighted.

    Other mentions inside the same sentence get a lighter mark; they are returned too."""
    text = _found(span, texts)
    if text is None or span.start is None or span.end is None:
        shown = f'<mark class="{cls}">{_e(span.text)}</mark>' if span.text else '<span class="none">no evidence text</span>'
        return shown, []
    starts = [m.end() for m in SENTENCE_END.finditer(text, 0, span.start)]
    begin = starts[-1] if starts else 0
    stop = SENTENCE_END.search(text, span.end)
    finish = stop.end() if stop and stop.group() != "\n" else stop.start() if stop else len(text)
    inside = [
        (m, m.start, m.end)
        for m in others
        if m.doc_id == span.doc_id and m.start is not None and m.end is not None and begin <= m.start and m.end <= finish and _found(m, texts)
    ]
    # each character's mark: the span's own, else a mention's, else none; then runs of one mark
    kind = [""] * (finish - begin)
    for _, a, b in inside:
        kind[a - begin : b - begin] = ["mention"] * (b - a)
    kind[span.start - begin : span.end - begin] = [cls] * (span.end - span.start)
    out, pos = [], 0
    while pos < len(kind):
        stop_at = pos
        while stop_at < len(kind) and kind[stop_at] == kind[pos]:
            stop_at += 1
        chunk = text[begin + pos : begin + stop_at]
        if kind[pos]:
            out.append(f'<mark class="{kind[pos]}">{_e(chunk)}</mark>')
        elif pos == 0:
            out.append(_e(_clip_left(chunk.lstrip())))
        elif stop_at == len(kind):
            out.append(_e(_clip_right(chunk.rstrip())))
        else:
            out.append(_e(chunk))
        pos = stop_at
    return "".join(out), [m for m, _, _ in inside]


# -- pieces of the page -------------------------------------------------------------------
def _bdi(v: str | None, empty: str = "—") -> str:
    return f"<bdi>{_e(v)}</bdi>" if v else f'<span class="none">{empty}</span>'


def _swatch(colour: str, hollow: bool = False, r: float = 5) -> str:
    size = 2 * r + 3
    c = size / 2
    paint = f'fill="{colour}" fill-opacity="0.18" stroke="{colour}" stroke-dasharray="2.2 1.4" stroke-width="1.6"' if hollow else f'fill="{colour}"'
    return f'<svg class="sw" width="{size:g}" height="{size:g}" viewBox="0 0 {size:g} {size:g}" aria-hidden="true"><circle cx="{c:g}" cy="{c:g}" r="{r:g}" {paint}/></svg>'


def _bar(parts: Sequence[tuple[int, str]], top: int) -> str:
    """A horizontal stacked bar (inline SVG, so that it prints and needs no style attribute)."""
    x, out = 0.0, []
    for v, colour in parts:
        w = 100 * v / top if top else 0
        out.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="10" fill="{colour}"/>')
        x += w
    return f'<svg class="hbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">{"".join(out)}</svg>'


def _counts(rows: Sequence[Row], families: Sequence[str]) -> str:
    by_fam = Counter(r.family for r in rows)
    top = max(by_fam.values(), default=0)
    out = ['<table class="counts" id="by-family"><caption>Events per family</caption>',
           '<thead><tr><th scope="col">family</th><th scope="col" class="num">events</th><th scope="col" class="num">on the map</th>'
           '<th scope="col" class="num">dated</th><th scope="col" class="barcol"></th></tr></thead><tbody>']
    for f in families:
        fr = [r for r in rows if r.family == f]
        out.append(
            f"<tr><th scope=\"row\">{_swatch(_colour(f))} <bdi>{_e(f)}</bdi></th><td class=\"num\">{len(fr)}</td>"
            f'<td class="num">{sum(r.lat is not None for r in fr)}</td><td class="num">{sum(r.date is not None for r in fr)}</td>'
            f'<td class="barcol">{_bar([(len(fr), _colour(f))], top)}</td></tr>'
        )
    out.append("</tbody></table>")
    by_country: Counter[str] = Counter(r.country or "" for r in rows)
    top = max(by_country.values(), default=0)
    out.append('<table class="counts" id="by-country"><caption>Events per country</caption>'
               '<thead><tr><th scope="col">country</th><th scope="col" class="num">events</th><th scope="col" class="barcol">by family</th></tr></thead><tbody>')
    for country, c in sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])):
        parts = [(sum(1 for r in rows if (r.country or "") == country and r.family == f), _colour(f)) for f in families]
        name = f"<bdi>{_e(country)}</bdi>" if country else '<span class="none">no country</span>'
        out.append(f'<tr><th scope="row">{name}</th><td class="num">{c}</td><td class="barcol">{_bar([p for p in parts if p[0]], top)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _tip(r: Row) -> str:
    where = ", ".join(x for x in (r.location, r.admin1, r.country) if x) or "?"
    when = r.date.isoformat() if r.date else "no date"
    return f"#{r.n} {r.family} · {where} · {when} · {len(r.mentions)} mention{'s' if len(r.mentions) != 1 else ''}"


def _map(rows: Sequence[Row]) -> str:
    points = [
        Point(r.n, r.lon, r.lat, _colour(r.family), len(r.mentions), r.geo_precision, r.location or "", _tip(r))
        for r in rows
        if r.lat is not None and r.lon is not None
    ]
    shaded = {r.country for r in rows if r.country} | {str(r.iso) for r in rows if r.iso is not None}
    region, world = map_svg(points, shaded)
    families = _families(rows)
    legend = " ".join(f'<span class="key">{_swatch(_colour(f))} <bdi>{_e(f)}</bdi></span>' for f in families)
    sizes = " ".join(f'<span class="key">{_swatch("#777", r=radius(m))} {m}</span>' for m in (1, 2, 4))
    unlocated = len(rows) - len(points)
    outside = ""
    if world:
        off = sorted(
            {", ".join(x for x in (r.location, r.country) if x) or "?" for r in rows if r.lon is not None and r.lat is not None and not in_region(r.lon, r.lat)}
        )
        outside = (
            f'<figure class="world"><figcaption>Outside the region ({_e(len(off))} place{"s" if len(off) != 1 else ""}): '
            f"{', '.join(f'<bdi>{_e(o)}</bdi>' for o in off)}</figcaption>{world}</figure>"
        )
    return (
        f'<figure id="map" class="map">{region}{outside}<figcaption><div class="legend">{legend}'
        f'<span class="key">{_swatch("#777", hollow=True)} only the region or country known</span>'
        f'<span class="key sizes">mentions: {sizes}</span></div>'
        f"<div>{len(points)} of {len(rows)} events have coordinates; {unlocated} "
        f"{'has' if unlocated == 1 else 'have'} none (their country is in the table). "
        "Events at one place are set around it; a point links to its row.</div></figcaption></figure>"
    )


def _timeline(rows: Sequence[Row], families: Sequence[str]) -> str:
    dated = [Dated(r.date, families.index(r.family), r.time_precision == 3) for r in rows if r.date]
    undated = [r for r in rows if r.date is None]
    svg = timeline_svg(dated, families, [_colour(f) for f in families])
    by = Counter(r.family for r in undated)
    apart = (
        f"{len(undated)} event{'s' if len(undated) != 1 else ''} without a date, not drawn: "
        + ", ".join(f"{by[f]} {_e(f)}" for f in families if by[f])
        if undated
        else "Every event has a date."
    )
    first = min((r.date for r in rows if r.date), default=None)
    last = max((r.date for r in rows if r.date), default=None)
    span = f" from {first.isoformat()} to {last.isoformat()}" if first and last else ""
    return (
        f'<figure id="timeline">{svg or "<p class=none>No event has a date.</p>"}<figcaption>Events per week (weeks start on Monday)'
        f"{span}; paler: dated only to the month or coarser. <span id=\"undated\">{apart}</span></figcaption></figure>"
    )


def _date_cell(r: Row) -> str:
    if not r.date:
        return '<td data-k=""><span class="none">no date</span></td>'
    prec = TIME_PRECISION.get(r.time_precision or 0)
    sub = f'<div class="sub">{prec}</div>' if prec and prec != "day" else ""
    return f'<td data-k="{r.date.isoformat()}"><time datetime="{r.date.isoformat()}">{r.date.isoformat()}</time>{sub}</td>'


def _row_html(r: Row, texts: Mapping[str, str]) -> str:
    fam = f'{_swatch(_colour(r.family), r=4)} <bdi>{_e(r.family)}</bdi>'
    kind = f'<div class="sub"><bdi>{_e(r.kind)}</bdi></div>' if r.kind else ""
    dead = f'<div class="sub">fatalities: {r.fatalities}</div>' if r.fatalities is not None else ""
    actors = f'{_bdi(r.actor1, "?")} <span class="arrow">→</span> {_bdi(r.actor2)}'
    if r.assoc:
        actors += '<div class="sub">with ' + "; ".join(f"<bdi>{_e(a)}</bdi>" for a in r.assoc) + "</div>"
    place = ", ".join(f"<bdi>{_e(x)}</bdi>" for x in (r.location, r.admin1, r.country) if x) or '<span class="none">—</span>'
    gp = GEO_PRECISION.get(r.geo_precision or 0)
    if r.lat is None:
        place += '<div class="sub">no coordinates</div>'
    elif gp:
        place += f'<div class="sub">{gp}</div>'
    others = [m for m in r.mentions if (m.start, m.end, m.doc_id) != (r.evidence.start, r.evidence.end, r.evidence.doc_id)]
    sentence, marked = sentence_html(r.evidence, others, texts)
    ev = f'<p class="ar" lang="ar" dir="rtl">{sentence}</p>'
    if r.notes:
        ev += f'<p class="note" lang="en" dir="ltr">{_e(r.notes)}</p>'
    more = [m for m in others if m not in marked]
    if others:
        ev += f'<div class="sub">{len(others)} more mention{"s" if len(others) != 1 else ""}{":" if more else ", in the sentence above"}</div>'
    for m in more[:MAX_MENTIONS]:
        ev += f'<p class="ar more" lang="ar" dir="rtl">{sentence_html(m, [], texts, "mention")[0]}</p>'
    if len(more) > MAX_MENTIONS:
        ev += f'<div class="sub">and {len(more) - MAX_MENTIONS} more</div>'
    ev += f'<div class="sub doc">article <bdi>{_e(r.doc_id)}</bdi></div>'
    conf = f'<div class="sub">confidence {r.confidence:g}</div>' if r.confidence is not None else ""
    where_k = " ".join(x for x in (r.country, r.location) if x).lower()
    return (
        f'<tr id="e{r.n}" data-n="{r.n}" data-family="{_e(r.family)}">'
        f'<td class="num" data-k="{r.n}">{r.n}</td>'
        f"{_date_cell(r)}"
        f'<td data-k="{_e((r.family + " " + r.kind).lower())}">{fam}{kind}{dead}</td>'
        f'<td data-k="{_e((r.actor1 or "").lower())}">{actors}</td>'
        f'<td data-k="{_e(where_k)}">{place}</td>'
        f'<td class="evidence" data-k="{_e(r.doc_id)}">{ev}</td>'
        f'<td data-k="{_e(r.rule)}"><code><bdi>{_e(r.rule).replace(".", ".<wbr>").replace("_", "_<wbr>")}</bdi></code>{conf}</td></tr>'
    )


COLUMNS = (
    ("n", "#", "num"),
    ("date", "date", "text"),
    ("event", "event", "text"),
    ("actors", "actor1 → actor2", "text"),
    ("place", "place", "text"),
    ("evidence", "evidence in its sentence · note · article", "text"),
    ("rule", "rule", "text"),
)


ASC = ' aria-sort="ascending"'


def _table(rows: Sequence[Row], texts: Mapping[str, str]) -> str:
    head = "".join(
        f'<th scope="col" class="c-{key}" data-col="{key}" data-type="{typ}"{ASC if key == "n" else ""}>'
        f'<button type="button">{_e(label)}<span class="arrow" aria-hidden="true"></span></button></th>'
        for key, label, typ in COLUMNS
    )
    body = "".join(_row_html(r, texts) for r in rows)
    return (
        '<table id="events" class="events"><caption>Events (click a header to sort; the address #sort=date or #sort=-date opens it sorted)</caption>'
        f"<colgroup>{''.join(f'<col class=c-{k}>' for k, _, _ in COLUMNS)}</colgroup>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


CSS = """
:root{--ink:#1d1d1f;--mute:#666;--line:#d6d6d6;--paper:#fff;--mark:#ffe08a;--mark2:#e8f0fb}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Liberation Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--paper);font-size:14px;line-height:1.45}
body{margin:0 auto;max-width:1400px;padding:18px 24px 40px}
header h1{font-size:1.55rem;margin:0 0 2px;font-weight:650;letter-spacing:-.01em}
header .facts{color:var(--mute);margin:0 0 14px}
header .facts b{color:var(--ink);font-weight:600}
h2{font-size:1.05rem;margin:22px 0 8px;padding-bottom:3px;border-bottom:1px solid var(--line);font-weight:650}
.top{display:grid;grid-template-columns:minmax(0,2.15fr) minmax(0,1fr);gap:22px;align-items:start}
figure{margin:0}
figcaption{color:var(--mute);font-size:.86rem;margin-top:6px}
svg{display:block;max-width:100%;height:auto}
svg text{font-family:inherit}
#map-region{width:100%}
.world{margin-top:10px;display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:12px;align-items:start}
.world figcaption{margin:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin-bottom:3px;color:var(--ink)}
.key{display:inline-flex;align-items:center;gap:4px}
.key .sw{display:inline-block;vertical-align:middle}
.sw{display:inline-block;vertical-align:-1px}
.country{vector-effect:non-scaling-stroke}
.grid{stroke:#000;stroke-opacity:.09;stroke-width:.6}
.axis{stroke:#777;stroke-width:1}
.deg{font-size:9.5px;fill:#6b7f8e}
.cname{font-size:11px;fill:#8d8778;letter-spacing:1.5px;font-weight:600}
.place{font-size:11px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.tick{font-size:11px;fill:#555}
.event:hover{stroke:#000;stroke-width:1.5}
table{border-collapse:collapse}
.counts{width:100%;margin-bottom:16px;font-size:.92rem}
.counts caption{text-align:left;font-weight:650;padding-bottom:4px}
.counts th{white-space:nowrap}
.counts th,.counts td{padding:3px 6px;border-bottom:1px solid #eee;text-align:left;font-weight:normal}
.counts thead th{color:var(--mute);font-size:.8rem;border-bottom:1px solid var(--line)}
.counts .num{text-align:right;font-variant-numeric:tabular-nums;width:4.2em}
.counts .barcol{width:38%}
.hbar{width:100%;height:10px}
.events{width:100%;table-layout:fixed;font-size:.9rem}
.events caption{text-align:left;color:var(--mute);font-size:.86rem;padding-bottom:6px}
.events th{position:sticky;top:0;background:#f3f3f1;border-bottom:2px solid #bbb;text-align:left;padding:0;font-weight:600;z-index:1}
.events th button{all:unset;display:block;width:100%;padding:6px 6px;cursor:pointer;box-sizing:border-box}
.events th button:focus-visible{outline:2px solid #0072b2}
.events th[aria-sort=ascending] .arrow::after{content:" ▲";font-size:.7em;color:#555}
.events th[aria-sort=descending] .arrow::after{content:" ▼";font-size:.7em;color:#555}
.events td{vertical-align:top;padding:7px 6px;border-bottom:1px solid #e4e4e4;overflow-wrap:anywhere}
.events tbody tr:nth-child(even){background:#fafaf8}
.events tbody tr:target{background:#fff6d6}
col.c-n{width:3.2%}col.c-date{width:7.6%}col.c-event{width:12.5%}col.c-actors{width:16%}col.c-place{width:10.5%}col.c-evidence{width:39%}col.c-rule{width:11.2%}
.num{text-align:right;font-variant-numeric:tabular-nums}
.sub{color:var(--mute);font-size:.8rem;margin-top:2px}
.none{color:#999}
.arrow{color:#888}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem}
[lang=ar],.ar{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Geeza Pro","Segoe UI",Tahoma,"DejaVu Sans",sans-serif}
p.ar{margin:0 0 4px;font-size:1.06rem;line-height:1.75;text-align:right}
p.note{margin:0 0 3px;font-size:.86rem;color:#333}
p.ar.more{margin:0 0 2px;font-size:.92rem;line-height:1.6;color:#333}
mark.ev{background:var(--mark);color:inherit;padding:0 1px;border-radius:2px;box-shadow:inset 0 -2px 0 #e0a800}
mark.mention{background:var(--mark2);color:inherit;padding:0 1px;border-radius:2px;box-shadow:inset 0 -1px 0 #7aa7d6}
footer{margin-top:26px;color:var(--mute);font-size:.8rem;border-top:1px solid var(--line);padding-top:8px}
@media (max-width:900px){.top{grid-template-columns:1fr}}
@media print{
 @page{size:A4 landscape;margin:11mm}
 html{font-size:9.5pt}
 body{max-width:none;padding:0}
 .top{grid-template-columns:minmax(0,2fr) minmax(0,1fr)}
 figure,.counts{break-inside:avoid}
 h2{break-after:avoid}
 .events caption{display:none}
 .events th{position:static;background:none}
 .events th button{padding:3px 4px}
 .events th .arrow::after{content:""!important}
 .events tbody tr{break-inside:avoid}
 .events tbody tr:nth-child(even){background:none}
 thead{display:table-header-group}
 a{color:inherit;text-decoration:none}
 mark.ev{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

SCRIPT = """
(function(){
var root=document.documentElement;
document.addEventListener('securitypolicyviolation',function(){
 root.setAttribute('data-blocked',String(+(root.getAttribute('data-blocked')||0)+1));});
function key(td,num){var k=td.getAttribute('data-k');if(k===null)k=td.textContent;
 if(!num)return k;var v=parseFloat(k);return isNaN(v)?null:v;}
function sortBy(table,col,desc){
 var th=table.tHead.rows[0].cells,body=table.tBodies[0],num=th[col].getAttribute('data-type')==='num';
 var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=key(a.cells[col],num),y=key(b.cells[col],num),r;
  var ex=(x===null||x===''),ey=(y===null||y==='');
  if(ex||ey){r=ex&&ey?0:ex?1:-1;}
  else{r=num?x-y:x.localeCompare(y);if(desc)r=-r;}
  return r||(+a.getAttribute('data-n'))-(+b.getAttribute('data-n'));});
 for(var i=0;i<rows.length;i++)body.appendChild(rows[i]);
 for(var j=0;j<th.length;j++)th[j].removeAttribute('aria-sort');
 th[col].setAttribute('aria-sort',desc?'descending':'ascending');}
document.addEventListener('DOMContentLoaded',function(){
 var table=document.getElementById('events');
 if(table){
  var th=table.tHead.rows[0].cells;
  Array.prototype.forEach.call(th,function(cell,i){
   cell.querySelector('button').addEventListener('click',function(){
    var desc=cell.getAttribute('aria-sort')==='ascending';sortBy(table,i,desc);
    try{history.replaceState(null,'','#sort='+(desc?'-':'')+cell.getAttribute('data-col'));}catch(e){}});});
  var m=/^#sort=(-?)([a-z]+)$/.exec(location.hash);
  if(m)Array.prototype.forEach.call(th,function(cell,i){if(cell.getAttribute('data-col')===m[2])sortBy(table,i,m[1]==='-');});
 }
 root.setAttribute('data-ready','1');
});
})();
"""


def _sha(s: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = f"default-src 'none'; style-src {_sha(CSS)}; script-src {_sha(SCRIPT)}; base-uri 'none'; form-action 'none'"


def render_report(records: Iterable[Mapping[str, Any]], texts: Mapping[str, str] | None = None, title: str = "Sahel events") -> str:
    """The whole HTML page. `texts`: doc_id -> the document's text, to show each evidence in its sentence.

    A text is used for an event only when it holds the evidence at the record's offsets."""
    texts = texts or {}
    rows = [_row(i, r) for i, r in enumerate(records, 1)]
    families = _families(rows)
    docs = len({r.doc_id for r in rows})
    countries = len({r.country for r in rows if r.country})
    located = sum(r.lat is not None for r in rows)
    dated = sum(r.date is not None for r in rows)
    versions = sorted({r.version for r in rows if r.version})
    facts = (
        f"<b>{len(rows)}</b> event{'s' if len(rows) != 1 else ''} from <b>{docs}</b> article{'s' if docs != 1 else ''} · "
        f"<b>{countries}</b> countr{'ies' if countries != 1 else 'y'} · <b>{located}</b> on the map · <b>{dated}</b> dated"
    )
    if versions:
        facts += " · rule pack " + ", ".join(f"<code>{_e(v)}</code>" for v in versions[:3]) + ("…" if len(versions) > 3 else "")
    src = outlines().get("source", "Natural Earth")
    body = (
        f"<header><h1>{_e(title)}</h1><p class=\"facts\">{facts}</p></header>"
        f'<section class="top"><div><h2>Map</h2>{_map(rows)}</div><div><h2>Counts</h2>{_counts(rows, families)}</div></section>'
        f"<section><h2>Timeline</h2>{_timeline(rows, families)}</section>"
        f"<section><h2>Events</h2>{_table(rows, texts)}</section>"
        f"<footer>Written by sahel-events {_e(__version__)}. Country outlines: {_e(src)}. "
        "Place coordinates: GeoNames (CC BY 4.0), through the gazetteer of the rule pack. "
        "Field names and categories follow ACLED's conventions; no ACLED data is included.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{CSS}</style><script>{SCRIPT}</script></head>"
        f"<body>{body}</body></html>\n"
    )
