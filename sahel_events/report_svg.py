"""The report's two drawings as inline SVG strings: the map of the region and the weekly timeline.

Pure functions of plain data (no record dicts, no I/O but the shipped outlines), so
that the same events always give the same bytes. Every text they draw is escaped here.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from importlib import resources
from typing import Any, NamedTuple

import orjson

MAP_W = 900  # viewBox width of the map; its height follows the frame's shape
TL_W, TL_H = 1160, 150  # the timeline's plot area
DEFAULT_FRAME = (-17.5, 8.0, 24.0, 24.0)  # lon0, lat0, lon1, lat1: the Sahel, when no event is inside the region
MIN_SPAN = (14.0, 8.0)  # degrees of longitude, latitude
ASPECT = 2.0  # projected width : height the frame is widened or heightened to
WORLD = (-180.0, -58.0, 180.0, 84.0)


class Point(NamedTuple):
    """One located event, as the map draws it."""

    n: int  # its row number in the table (the point links to it)
    lon: float
    lat: float
    colour: str
    mentions: int
    precision: int | None  # geo_precision: 3 is drawn as a ring (only the region or country is known)
    place: str  # label of its location ("" draws no label)
    tip: str  # tooltip text


class Dated(NamedTuple):
    """One dated event, as the timeline counts it."""

    day: dt.date
    family: int  # index into the family list
    coarse: bool  # time_precision 3: known to the month or coarser


def _e(s: str) -> str:
    return escape(s, quote=True)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


@functools.cache
def outlines() -> dict[str, Any]:
    """The shipped Natural Earth outlines (sahel_events/data/outlines.json; scripts/build_outlines.py)."""
    raw = resources.files("sahel_events").joinpath("data", "outlines.json").read_bytes()
    data: dict[str, Any] = orjson.loads(raw)
    return data


def in_region(lon: float, lat: float) -> bool:
    """Inside the box the region map can show (else the event goes on the small world map)."""
    x0, y0, x1, y1 = outlines()["region_box"]
    return bool(x0 <= lon <= x1 and y0 <= lat <= y1)


def radius(mentions: int) -> float:
    """Circle area grows with the number of mentions: 1 -> 4.2, 2 -> 5.9, 4 -> 8.4."""
    return 4.2 * math.sqrt(max(1, min(mentions, 40)))


# -- the map -------------------------------------------------------------------------
class _Proj:
    """Equirectangular over the frame, longitudes shrunk by the cosine of its middle latitude."""

    def __init__(self, frame: tuple[float, float, float, float], width: float) -> None:
        self.lon0, self.lat0, self.lon1, self.lat1 = frame
        self.kx = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        self.s = width / ((self.lon1 - self.lon0) * self.kx)
        self.w = width
        self.h = (self.lat1 - self.lat0) * self.s

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx * self.s, (self.lat1 - lat) * self.s


def _frame(points: Sequence[Point], box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The events inside the region box with a margin, at least MIN_SPAN, shaped to ASPECT, inside the box."""
    inside = [p for p in points if in_region(p.lon, p.lat)]
    if inside:
        lon0, lon1 = min(p.lon for p in inside) - 1.5, max(p.lon for p in inside) + 1.5
        lat0, lat1 = min(p.lat for p in inside) - 1.5, max(p.lat for p in inside) + 1.5
    else:
        lon0, lat0, lon1, lat1 = DEFAULT_FRAME

    def grow(a: float, b: float, span: float) -> tuple[float, float]:
        if b - a >= span:
            return a, b
        mid = (a + b) / 2
        return mid - span / 2, mid + span / 2

    lon0, lon1 = grow(lon0, lon1, MIN_SPAN[0])
    lat0, lat1 = grow(lat0, lat1, MIN_SPAN[1])
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    if (lon1 - lon0) * kx / (lat1 - lat0) < ASPECT:
        lon0, lon1 = grow(lon0, lon1, ASPECT * (lat1 - lat0) / kx)
    else:
        lat0, lat1 = grow(lat0, lat1, (lon1 - lon0) * kx / ASPECT)

    def fit(a: float, b: float, lo: float, hi: float) -> tuple[float, float]:
        if b - a >= hi - lo:
            return lo, hi
        if a < lo:
            a, b = lo, b + (lo - a)
        if b > hi:
            a, b = a - (b - hi), hi
        return a, b

    lon0, lon1 = fit(lon0, lon1, box[0], box[2])
    lat0, lat1 = fit(lat0, lat1, box[1], box[3])
    return round(lon0, 2), round(lat0, 2), round(lon1, 2), round(lat1, 2)


def _path(rings: list[list[float]], proj: _Proj) -> str:
    parts = []
    for ring in rings:
        pts = [proj.xy(ring[i], ring[i + 1]) for i in range(0, len(ring), 2)]
        parts.append("M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in pts) + "Z")
    return "".join(parts)


def _bbox(rings: list[list[float]]) -> tuple[float, float, float, float]:
    xs = [c for r in rings for c in r[0::2]]
    ys = [c for r in rings for c in r[1::2]]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _dodge(points: Sequence[Point], proj: _Proj) -> list[tuple[Point, float, float, float, float]]:
    """Each point's drawn position: events at one spot are set around it in a ring, so each stays visible.

    Returns (point, x, y, true x, true y)."""
    spots: dict[tuple[int, int], list[Point]] = defaultdict(list)
    for p in points:
        x, y = proj.xy(p.lon, p.lat)
        spots[(round(x), round(y))].append(p)
    out = []
    for group in spots.values():
        x, y = proj.xy(group[0].lon, group[0].lat)
        if len(group) == 1:
            out.append((group[0], x, y, x, y))
            continue
        big = max(radius(p.mentions) for p in group)
        k = len(group)
        for i, p in enumerate(sorted(group, key=lambda q: q.n)):
            if k <= 6:  # a ring
                d, a = big * (0.9 + 0.12 * k), -math.pi / 2 + 2 * math.pi * i / k
            else:  # a sunflower: many events at one centroid stay a compact disc
                d, a = big * 1.15 * math.sqrt(i + 0.5), i * math.pi * (3 - math.sqrt(5))
            out.append((p, x + d * math.cos(a), y + d * math.sin(a), x, y))
    return out


def _circles(placed: list[tuple[Point, float, float, float, float]], scale: float = 1.0) -> list[str]:
    out = []
    anchors = sorted({(round(tx, 1), round(ty, 1)) for p, x, y, tx, ty in placed if (x, y) != (tx, ty)})
    for tx, ty in anchors:
        out.append(f'<circle class="anchor" cx="{_f(tx)}" cy="{_f(ty)}" r="1.6" fill="#333"/>')
    for p, x, y, _tx, _ty in sorted(placed, key=lambda t: (-t[0].mentions, t[0].n)):
        r = radius(p.mentions) * scale
        if p.precision == 3:
            paint = f'fill="{p.colour}" fill-opacity="0.18" stroke="{p.colour}" stroke-width="1.6" stroke-dasharray="2.2 1.4"'
        else:
            paint = f'fill="{p.colour}" fill-opacity="0.88" stroke="#fff" stroke-width="1"'
        out.append(
            f'<a href="#e{p.n}"><circle class="event" data-n="{p.n}" cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {paint}>'
            f"<title>{_e(p.tip)}</title></circle></a>"
        )
    return out


def _labels(placed: list[tuple[Point, float, float, float, float]], w: float, h: float, taken: list) -> list[str]:  # type: ignore[type-arg]
    """Place names beside their points, greedily, most-reported places first; a label that would overlap is left out."""
    spots: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for p, x, y, _tx, _ty in placed:
        if p.place:
            spots[p.place].append((x, y, radius(p.mentions)))
    order = sorted(spots, key=lambda k: (-len(spots[k]), k))
    out = []
    fs = 11.0
    for name in order:
        pts = spots[name]
        x0 = min(x - r for x, y, r in pts)
        x1 = max(x + r for x, y, r in pts)
        y0 = min(y - r for x, y, r in pts)
        y1 = max(y + r for x, y, r in pts)
        cy = (y0 + y1) / 2
        tw = 0.56 * fs * len(name) + 2
        for ax, ay, anchor in (
            (x1 + 3, cy + fs * 0.35, "start"),
            (x0 - 3, cy + fs * 0.35, "end"),
            ((x0 + x1) / 2, y0 - 3, "middle"),
            ((x0 + x1) / 2, y1 + fs, "middle"),
        ):
            left = ax if anchor == "start" else ax - tw if anchor == "end" else ax - tw / 2
            box = (left, ay - fs * 0.85, left + tw, ay + fs * 0.2)
            if box[0] < 2 or box[2] > w - 2 or box[1] < 2 or box[3] > h - 2:
                continue
            if any(_overlaps(box, t) for t in taken):
                continue
            taken.append(box)
            out.append(f'<text class="place" x="{_f(ax)}" y="{_f(ay)}" text-anchor="{anchor}">{_e(name)}</text>')
            break
    return out


def map_svg(points: Sequence[Point], shaded: set[str]) -> tuple[str, str]:
    """The region map and, when some events lie outside the region, a small world map of those.

    `shaded`: names and ISO numeric codes (as strings) of the countries that have events."""
    data = outlines()
    box = tuple(data["region_box"])
    frame = _frame(points, box)  # type: ignore[arg-type]
    proj = _Proj(frame, MAP_W)
    out = [
        f'<svg id="map-region" viewBox="0 0 {MAP_W} {_f(proj.h)}" role="img" aria-label="Map of the events in the region">',
        f'<rect class="sea" x="0" y="0" width="{MAP_W}" height="{_f(proj.h)}" fill="#dbe6ee"/>',
    ]
    labels = []
    for feat in data["region"]:
        fb = _bbox(feat["rings"])
        if not _overlaps(fb, (frame[0], frame[1], frame[2], frame[3])):
            continue
        hot = feat["name"] in shaded or str(feat.get("iso", "")) in shaded
        out.append(
            f'<path class="country" d="{_path(feat["rings"], proj)}" fill="{"#ece4cf" if hot else "#f6f5f1"}" '
            f'stroke="#8c8c8c" stroke-width="0.7" stroke-linejoin="round"><title>{_e(feat["name"])}</title></path>'
        )
        lab = feat.get("label")
        if lab and frame[0] + 0.5 < lab[0] < frame[2] - 0.5 and frame[1] + 0.5 < lab[1] < frame[3] - 0.5:
            x0, y0 = proj.xy(fb[0], fb[3])
            x1, y1 = proj.xy(fb[2], fb[1])
            if x1 - x0 > 70 and y1 - y0 > 30:
                labels.append((feat["name"].upper(), *proj.xy(lab[0], lab[1])))
    # graticule every 5 degrees, with its degrees on the left and bottom edges
    taken: list[tuple[float, float, float, float]] = []
    step = 5
    for lon in range(math.ceil(frame[0] / step) * step, math.floor(frame[2]) + 1, step):
        x, _ = proj.xy(lon, 0)
        deg = f'{abs(lon)}°{"W" if lon < 0 else "E" if lon > 0 else ""}'
        out.append(f'<line class="grid" x1="{_f(x)}" y1="0" x2="{_f(x)}" y2="{_f(proj.h)}"/>')
        out.append(f'<text class="deg" x="{_f(x + 2)}" y="{_f(proj.h - 4)}">{deg}</text>')
        taken.append((x, proj.h - 13, x + 6 * len(deg) + 2, proj.h))
    for lat in range(math.ceil(frame[1] / step) * step, math.floor(frame[3]) + 1, step):
        _, y = proj.xy(0, lat)
        deg = f'{abs(lat)}°{"S" if lat < 0 else "N" if lat > 0 else ""}'
        out.append(f'<line class="grid" x1="0" y1="{_f(y)}" x2="{MAP_W}" y2="{_f(y)}"/>')
        out.append(f'<text class="deg" x="4" y="{_f(y - 3)}">{deg}</text>')
        taken.append((0, y - 13, 6 * len(deg) + 6, y))
    inside = [p for p in points if in_region(p.lon, p.lat)]
    placed = _dodge(inside, proj)
    for p, x, y, _, _ in placed:
        r = radius(p.mentions)
        taken.append((x - r, y - r, x + r, y + r))
    # place names first (beside their points), then country names where they still fit
    place_labels = _labels(placed, MAP_W, proj.h, taken)
    for name, x, y in labels:
        tw = (0.62 + 0.14) * 11 * len(name)
        for dy in (0, -14, 14, -28, 28):
            box = (x - tw / 2, y + dy - 10, x + tw / 2, y + dy + 2)
            if box[0] > 0 and box[2] < MAP_W and not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                out.append(f'<text class="cname" x="{_f(x)}" y="{_f(y + dy)}" text-anchor="middle">{_e(name)}</text>')
                break
    out += place_labels + _circles(placed)
    out.append(f'<rect x="0.5" y="0.5" width="{MAP_W - 1}" height="{_f(proj.h - 1)}" fill="none" stroke="#666"/>')
    out.append("</svg>")
    outside = [p for p in points if p not in inside]
    return "".join(out), world_svg(outside) if outside else ""


def world_svg(points: Sequence[Point]) -> str:
    """A small world map of the events outside the region (a diplomatic act in Moscow, Washington...)."""
    w = 360
    proj = _Proj(WORLD, w)
    proj.kx, proj.s, proj.h = 1.0, w / 360, (WORLD[3] - WORLD[1]) * w / 360
    out = [
        f'<svg id="map-world" viewBox="0 0 {w} {_f(proj.h)}" role="img" aria-label="Events outside the region">',
        f'<rect class="sea" x="0" y="0" width="{w}" height="{_f(proj.h)}" fill="#dbe6ee"/>',
    ]
    for feat in outlines()["world"]:
        out.append(f'<path class="country" d="{_path(feat["rings"], proj)}" fill="#f6f5f1" stroke="#a0a0a0" stroke-width="0.4"/>')
    box = outlines()["region_box"]
    x0, y0 = proj.xy(box[0], box[3])
    x1, y1 = proj.xy(box[2], box[1])
    out.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" fill="none" stroke="#666" stroke-dasharray="2 2"/>')
    out += _circles(_dodge(points, proj), 0.7)
    out.append(f'<rect x="0.5" y="0.5" width="{w - 1}" height="{_f(proj.h - 1)}" fill="none" stroke="#666"/></svg>')
    return "".join(out)


# -- the timeline ------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _nice_max(v: int) -> tuple[int, int]:
    """An axis maximum >= v and a tick step, both round numbers."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if v / step <= 5:
            return max(step, math.ceil(v / step) * step), step
    step = 10 ** len(str(v))
    return math.ceil(v / step) * step, step


def timeline_svg(events: Sequence[Dated], families: Sequence[str], colours: Sequence[str]) -> str:
    """Stacked bars of events per week (weeks start on Monday), one colour per family; paler when dated only to the month."""
    if not events:
        return ""
    first = _monday(min(e.day for e in events))
    last = _monday(max(e.day for e in events))
    nweeks = (last - first).days // 7 + 1
    if nweeks < 12:  # a short run still reads as weeks, not as one fat bar
        first -= dt.timedelta(weeks=(12 - nweeks) // 2)
        nweeks = 12
    counts: Counter[tuple[int, int, bool]] = Counter(((_monday(e.day) - first).days // 7, e.family, e.coarse) for e in events)
    per_week: Counter[int] = Counter()
    for (wk, _fam, _coarse), c in counts.items():
        per_week[wk] += c
    top, step = _nice_max(max(per_week.values()))
    left, bottom, top_pad = 34, 24, 8
    W, H = TL_W + left + 6, TL_H + bottom + top_pad
    bw = TL_W / nweeks
    gap = 0.18 * bw if bw > 4 else 0.0
    out = [f'<svg id="timeline-svg" viewBox="0 0 {W} {H}" role="img" aria-label="Events per week, by family">']
    for v in range(0, top + 1, step):
        y = top_pad + TL_H - TL_H * v / top
        out.append(f'<line class="grid" x1="{left}" y1="{_f(y)}" x2="{left + TL_W}" y2="{_f(y)}"/>')
        out.append(f'<text class="tick" x="{left - 5}" y="{_f(y + 3.5)}" text-anchor="end">{v}</text>')
    for wk in sorted(per_week):
        y = top_pad + TL_H
        monday = first + dt.timedelta(weeks=wk)
        for fam in range(len(families)):
            for coarse in (False, True):
                c = counts.get((wk, fam, coarse), 0)
                if not c:
                    continue
                h = TL_H * c / top
                y -= h
                what = f"{c} {families[fam]}" + (" (dated to the month or coarser)" if coarse else "")
                op = ' fill-opacity="0.42"' if coarse else ""
                out.append(
                    f'<rect class="bar" x="{_f(left + wk * bw + gap / 2)}" y="{_f(y)}" width="{_f(max(bw - gap, 1.2))}" '
                    f'height="{_f(h)}" fill="{colours[fam]}"{op}><title>week of {monday.isoformat()}: {_e(what)}</title></rect>'
                )
    # month ticks, labelled every k months so that labels stay apart
    px_month = TL_W / nweeks * 30.44 / 7
    k = next((k for k in (1, 2, 3, 6, 12, 24, 60) if px_month * k >= 62), 120)
    m = dt.date(first.year, first.month, 1)
    end = first + dt.timedelta(weeks=nweeks)
    base = top_pad + TL_H
    years_shown = False
    while m <= end:
        x = left + (m - first).days / 7 * bw
        idx = m.year * 12 + m.month - 1
        if x >= left:
            label = str(m.year) if k >= 12 else f"{_MONTHS[m.month - 1]} {m.year}" if m.month == 1 or k == 1 or not years_shown else _MONTHS[m.month - 1]
            if idx % k == 0 and x + 6.5 * len(label) < W:
                years_shown = True
                out.append(f'<line class="axis" x1="{_f(x)}" y1="{base}" x2="{_f(x)}" y2="{base + 5}"/>')
                out.append(f'<text class="tick" x="{_f(x + 2)}" y="{base + 16}">{label}</text>')
            elif px_month >= 5:
                out.append(f'<line class="axis" x1="{_f(x)}" y1="{base}" x2="{_f(x)}" y2="{base + 2.5}"/>')
        m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    out.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{left + TL_W}" y2="{base}"/>')
    out.append("</svg>")
    return "".join(out)
