#!/usr/bin/env python3
"""Regenerate sahel_events/data/outlines.json, the country outlines of the HTML report's map.

Development-time tool only, standard library only: the report reads the JSON, never a
shapefile. Source: Natural Earth's 1:110m admin-0 countries (public domain), as older
geopandas releases ship them (`geopandas/datasets/naturalearth_lowres/` of geopandas
0.12.2, the last series that bundles them).

    python3 scripts/build_outlines.py                  # fetches the geopandas 0.12.2 wheel with pip, writes the JSON
    python3 scripts/build_outlines.py --shp PATH.shp   # or read a naturalearth_lowres.shp (with its .dbf) you have
    python3 scripts/build_outlines.py --check          # exit 1 if the file would change

Two layers:
- `region`: every country with a part inside REGION_BOX (North, West and Central Africa
  around the Sahel), clipped to that box (Sutherland-Hodgman), simplified with
  Douglas-Peucker (REGION_TOLERANCE degrees) and rounded to 2 decimals (about 1 km);
  with a label point (the centroid of its largest piece) and, for the countries of
  rules/lexicon/countries.toml, their ISO 3166-1 numeric code, which records carry (`iso`).
- `world`: every country between 58°S and 84°N, coarser (WORLD_TOLERANCE degrees,
  1 decimal, pieces under WORLD_MIN_AREA square degrees dropped), for the inset that
  shows events outside the region (a diplomatic event in Moscow or Washington).
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sahel_events" / "data" / "outlines.json"
COUNTRIES = ROOT / "rules" / "lexicon" / "countries.toml"
WHEEL = "geopandas==0.12.2"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"

REGION_BOX = (-26.0, -6.0, 44.0, 38.0)  # lon_min, lat_min, lon_max, lat_max
REGION_TOLERANCE = 0.04
WORLD_BOX = (-180.0, -58.0, 180.0, 84.0)
WORLD_TOLERANCE = 0.6
WORLD_MIN_AREA = 1.5

# countries.toml name -> Natural Earth's (lowres) name, where they differ.
NE_NAMES = {
    "Ivory Coast": "Côte d'Ivoire",
    "Central African Republic": "Central African Rep.",
    "Democratic Republic of Congo": "Dem. Rep. Congo",
    "Republic of Congo": "Congo",
    "South Sudan": "S. Sudan",
    "Western Sahara": "W. Sahara",
    "Equatorial Guinea": "Eq. Guinea",
    "United States": "United States of America",
    "eSwatini": "eSwatini",
}

Ring = list[tuple[float, float]]


# -- reading a shapefile (polygons only) and its dBASE table --------------------------
def read_shp(path: Path) -> list[list[Ring]]:
    """Every record's rings (type 5, Polygon; the only type this file holds)."""
    data = path.read_bytes()
    pos, shapes = 100, []
    while pos < len(data):
        _num, length = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        (stype,) = struct.unpack("<i", body[:4])
        if stype == 0:
            shapes.append([])
            continue
        if stype != 5:
            raise SystemExit(f"{path}: shape type {stype}, expected polygons (5)")
        nparts, npoints = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{nparts}i", body[44 : 44 + 4 * nparts]))
        off = 44 + 4 * nparts
        pts = [struct.unpack("<dd", body[off + 16 * i : off + 16 * i + 16]) for i in range(npoints)]
        bounds = parts + [npoints]
        shapes.append([pts[bounds[i] : bounds[i + 1]] for i in range(nparts)])
    return shapes


def read_dbf(path: Path) -> list[dict[str, str]]:
    cpg = path.with_suffix(".cpg")
    encoding = cpg.read_text(encoding="ascii").strip() if cpg.exists() else "utf-8"
    data = path.read_bytes()
    nrec, hlen, rlen = struct.unpack("<IHH", data[4:12])
    fields, i = [], 32
    while data[i] != 0x0D:
        fields.append((data[i : i + 11].split(b"\0")[0].decode("ascii"), data[i + 16]))
        i += 32
    rows = []
    for r in range(nrec):
        rec = data[hlen + r * rlen : hlen + (r + 1) * rlen]
        pos, row = 1, {}
        for name, flen in fields:
            row[name] = rec[pos : pos + flen].decode(encoding).strip()
            pos += flen
        rows.append(row)
    return rows


# -- geometry ---------------------------------------------------------------------------
def clip(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring inside an axis-aligned box."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    ]
    out = ring[:-1] if ring and ring[0] == ring[-1] else ring[:]
    for inside, cross in edges:
        if not out:
            break
        src, out = out, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
    return out


def _seg_dist(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(pts: Ring, tol: float) -> Ring:
    """Iterative Douglas-Peucker on an open polyline (first and last points kept)."""
    if len(pts) < 3:
        return pts[:]
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = 0.0, -1
        for k in range(i + 1, j):
            d = _seg_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, idx = d, k
        if idx >= 0 and best > tol:
            keep[idx] = True
            stack += [(i, idx), (idx, j)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def simplify_ring(ring: Ring, tol: float) -> Ring:
    """A closed ring simplified as two halves, so that no single anchor point decides its shape."""
    if len(ring) < 8:
        return ring
    half = len(ring) // 2
    a = douglas_peucker(ring[: half + 1], tol)
    b = douglas_peucker(ring[half:] + [ring[0]], tol)
    return a[:-1] + b[:-1]


def area(ring: Ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def centroid(ring: Ring) -> tuple[float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if a == 0:
        return ring[0]
    return cx / (3 * a), cy / (3 * a)


def layer(shapes, rows, box, tol, digits, min_area, isos):  # type: ignore[no-untyped-def]
    out = []
    for rings, row in zip(shapes, rows, strict=True):
        kept: list[Ring] = []
        for ring in rings:
            r = clip(ring, box)
            if len(r) < 3 or area(r) < min_area:
                continue
            r = simplify_ring(r, tol)
            r = [(round(x, digits), round(y, digits)) for x, y in r]
            r = [p for i, p in enumerate(r) if i == 0 or p != r[i - 1]]
            if len(r) >= 3 and area(r) > 0:
                kept.append(r)
        if not kept:
            continue
        feat: dict[str, object] = {"name": row["name"], "iso_a3": row["iso_a3"]}
        if row["name"] in isos:
            feat["iso"] = isos[row["name"]]
        if digits >= 2:
            lx, ly = centroid(max(kept, key=area))
            feat["label"] = [round(lx, 1), round(ly, 1)]
        feat["rings"] = [[c for p in r for c in p] for r in kept]
        out.append(feat)
    return sorted(out, key=lambda f: str(f["name"]))


def gazetteer_isos() -> dict[str, int]:
    """Natural Earth name -> ISO numeric, for the countries the gazetteer knows."""
    data = tomllib.loads(COUNTRIES.read_text(encoding="utf-8"))
    return {NE_NAMES.get(c["name"], c["name"]): int(c["iso"]) for c in data.get("country", []) if "iso" in c}


def fetch_shapefile(tmp: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), WHEEL], check=True)
    wheel = next(tmp.glob("geopandas-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for ext in ("shp", "dbf", "cpg"):
            (tmp / f"lowres.{ext}").write_bytes(z.read(f"{MEMBER}.{ext}"))
    return tmp / "lowres.shp"


def build(shp: Path) -> str:
    shapes, rows = read_shp(shp), read_dbf(shp.with_suffix(".dbf"))
    if len(shapes) != len(rows):
        raise SystemExit(f"{shp}: {len(shapes)} shapes but {len(rows)} table rows")
    isos = gazetteer_isos()
    region = layer(shapes, rows, REGION_BOX, REGION_TOLERANCE, 2, 0.0, isos)
    world = layer(shapes, rows, WORLD_BOX, WORLD_TOLERANCE, 1, WORLD_MIN_AREA, isos)
    missing = sorted(n for n in isos if n not in {str(f["name"]) for f in region + world})
    if missing:  # too small for the world layer, outside the region box (their events are still drawn)
        print(f"build_outlines: gazetteer countries without an outline: {', '.join(missing)}", file=sys.stderr)
    head = {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain), "
        "as shipped in geopandas 0.12.2 (naturalearth_lowres)",
        "built_by": "scripts/build_outlines.py",
        "region_box": list(REGION_BOX),
    }
    lines = ["{" + json.dumps(head, ensure_ascii=False)[1:-1] + ","]
    for name, feats in (("region", region), ("world", world)):
        lines.append(f'"{name}": [')
        lines += [json.dumps(f, ensure_ascii=False, separators=(",", ":")) + "," for f in feats]
        lines[-1] = lines[-1].rstrip(",")
        lines.append("],")
    lines[-1] = "]}"
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shp", type=Path, help="naturalearth_lowres.shp (default: fetch the geopandas 0.12.2 wheel)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the output would change")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        text = build(args.shp or fetch_shapefile(Path(tmp)))
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.relative_to(ROOT)}: {'up to date' if same else 'would change'}")
        return 0 if same else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
