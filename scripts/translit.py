"""Arabic spellings of Latin (French/English) place names, by rule.

Development-time helper of scripts/build_gazetteer.py: the engine never imports it.
Pure Python, no dependency, so that tests can check the rules on the observed pairs
in scripts/translit_pairs.tsv without GeoNames.

Arabic news writes West African names the way they sound in French, letter by letter,
with long vowels for almost every vowel (Ségou سيغو، Menaka ميناكا، Dori دوري). The rules
below were learnt from the spellings outlets actually use (see translit_pairs.tsv):

- ``ou`` → و (Koulikoro كوليكورو); ``ou`` + vowel is a consonant: Ouallam والام، Ouahigouya واهيغويا
- ``g`` → غ, ج or ق (Gao غاو/جاو/قاو; ق mostly in Algerian, Mauritanian and Chadian outlets;
  ك in Hassaniya Mauritanian names: Gorgol كوركول); ``gu`` + e/i is a hard g (Siguiri سيغيري)
- ``é``/``è`` → ي; a plain ``e`` → ي or nothing (Tessit تيسيت/تسيت); a final French ``e`` is silent
- ``i``/``y`` → ي; ``o`` → و; a final ``-a`` → ا (ة in Arabic-speaking countries: Kiffa كيفة)
- ``ch`` → ش, ``tch`` → تش, ``dj`` → ج or دج (Djibo جيبو/دجيبو), ``kh`` → خ, ``gh``/``rh`` → غ
- a word-initial ``N`` before d/g/dj takes ن or ان (N'Djamena نجامينا/انجامينا), ``Mb`` م or ام
- double letters are written once (Tessalit تساليت، Kollo كولو)
- hyphens become spaces, or vanish (Bobo-Dioulasso بوبو ديولاسو/بوبوديولاسو)
- Tamasheq ``Tin-``/``In-`` (the one of …) stands apart or joins the name (تين زاوتين/تنزاوتين)
- a word-initial vowel carries alef: أ for a/o/ou, إ for e/i (Agadez أغاديس، Iferouane إيفيروان)
- ي/ى and ة/ه endings need no variants: the engine folds them

`variants()` ranks the spellings by the product of the rule weights and keeps the best few.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_ar", "latin_key", "variants"]

# Countries whose outlets write g as ق (Maghreb, Mauritania, Chad, Libya, Sudan) and whose own
# names are often Arabic (final -a → ة; ك for g in Hassaniya).
ARABIC_SPEAKING = frozenset({"DZ", "MR", "TD", "LY", "SD", "MA", "TN", "EG"})

# Whole words with a fixed Arabic form (Arabic-origin words of Saharan names, French particles).
WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "sahel": (("الساحل", 1.0),),
    "bordj": (("برج", 1.0),),
    "borj": (("برج", 1.0),),
    "ain": (("عين", 1.0),),
    "oued": (("وادي", 0.6), ("واد", 0.4)),
    "wadi": (("وادي", 1.0),),
    "sidi": (("سيدي", 1.0),),
    "oum": (("أم", 1.0),),
    "umm": (("أم", 1.0),),
    "ouled": (("أولاد", 1.0),),
    "ould": (("ولد", 1.0),),
    "ben": (("بن", 1.0),),
    "beni": (("بني", 1.0),),
    "bani": (("باني", 0.6), ("بني", 0.4)),
    "abou": (("أبو", 1.0),),
    "abu": (("أبو", 1.0),),
    "hassi": (("حاسي", 1.0),),
    "bir": (("بئر", 0.7), ("بير", 0.3)),
    "ksar": (("قصر", 1.0),),
    "djebel": (("جبل", 1.0),),
    "jebel": (("جبل", 1.0),),
    "ras": (("رأس", 1.0),),
    "dar": (("دار", 1.0),),
    "saint": (("سانت", 1.0),),
    "san": (("سان", 1.0),),
    "port": (("بورت", 1.0),),
    "new": (("نيو", 1.0),),
}
ARTICLE_WORDS = frozenset({"el", "al", "ech", "ed", "es", "et", "er", "ez", "en", "esh", "ash", "as", "ad", "an", "ar", "at", "az"})
DROP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "d", "l"})
SUN = "تثدذرزسشصضطظلن"  # letters that assimilate the article («الشرقي» for ech Chargui)

VOWELS = "aeiouyéèêëàâîïôöûüù"


def latin_key(name: str) -> str:
    """Lower-case Latin with the accents that matter kept as é (a pronounced e)."""
    s = name.replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'").lower()
    out = []
    for ch in s:
        if ch in "éèêë":
            out.append("é")
            continue
        if ch == "ç":
            out.append("s")
            continue
        if ch == "ñ":
            out.append("ny")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base.isascii() else "")
    return "".join(out)


_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")


def fold_ar(s: str) -> str:
    """The engine's folding of an Arabic name (alef forms, ى/ي, ة/ه, hamza carriers, harakat)."""
    s = _HARAKAT.sub("", s)
    s = s.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "ء", "ئ": "ء"}))
    return " ".join(s.split())


Option = tuple[str, float]


def _g(cc: str) -> tuple[Option, ...]:
    if cc == "MR":
        return (("غ", 0.35), ("ك", 0.3), ("ق", 0.25), ("ج", 0.1))
    if cc in ARABIC_SPEAKING:
        return (("ق", 0.45), ("غ", 0.35), ("ج", 0.2))
    return (("غ", 0.6), ("ج", 0.3), ("ق", 0.1))


def _segments(w: str, cc: str, first_word: bool) -> list[tuple[Option, ...]]:
    """The word as a sequence of option sets (one per Latin grapheme)."""
    segs: list[tuple[Option, ...]] = []
    i, n = 0, len(w)
    arabic = cc in ARABIC_SPEAKING

    def vowel(k: int) -> bool:
        return 0 <= k < n and w[k] in VOWELS

    while i < n:
        c = w[i]
        rest = w[i:]
        start = i == 0
        nxt = w[i + 1] if i + 1 < n else ""
        # --- word-initial nasal before a consonant: N'Djamena, Nguigmi, Mbera
        if start and c in "nm" and nxt and nxt not in VOWELS and nxt not in "'hy":
            alef = "ان" if c == "n" else "ام"
            segs.append(((c == "n" and "ن" or "م", 0.55), (alef, 0.45)))
            i += 1
            continue
        # --- vowels (and the consonantal ou/w before a vowel)
        if rest.startswith("ou") or rest.startswith("oû") or rest.startswith("où"):
            if vowel(i + 2):  # Oua-, -oua-: a consonant w
                segs.append((("و", 1.0),))
            elif start:
                segs.append((("أو", 1.0),))
            else:
                segs.append((("و", 1.0),))
            i += 2
            continue
        if c in VOWELS:
            two = w[i : i + 2]
            three = w[i : i + 3]
            end = i + 1 >= n
            if three == "eau":
                segs.append((("أو" if start else "و", 1.0),))
                i += 3
                continue
            if two in ("ai", "aï", "ay", "ei", "ey") and not vowel(i + 2):
                if start:
                    segs.append((("أي", 1.0),))
                else:
                    segs.append((("اي", 0.7), ("ي", 0.3)) if two[0] == "a" else (("ي", 0.7), ("اي", 0.3)))
                i += 2
                continue
            if two == "oi":
                segs.append((("أوا" if start else "وا", 1.0),))
                i += 2
                continue
            if two == "au":
                segs.append((("أو" if start else "و", 0.8), ("أاو" if start else "او", 0.2)))
                i += 2
                continue
            if two in ("ie", "ié") and not start and not vowel(i + 2):
                segs.append((("ي", 0.6), ("يي", 0.4)) if two == "ié" else (("ي", 1.0),))
                i += 2
                continue
            if two in ("ee", "oo"):
                segs.append(((("ي" if c == "e" else "و"), 1.0),))
                i += 2
                continue
            if start:
                if c == "a":
                    segs.append((("أ", 1.0),))
                elif c in "eéi":
                    segs.append((("إي", 0.5), ("إ", 0.5)))
                elif c == "y":
                    segs.append((("ي", 1.0),) if vowel(i + 1) else (("إي", 1.0),))
                else:  # o, u
                    segs.append((("أو", 0.9), ("أ", 0.1)))
                i += 1
                continue
            if c in "aàâ":
                if end:
                    segs.append((("ا", 0.55), ("ة", 0.45)) if arabic else (("ا", 0.85), ("ة", 0.15)))
                else:
                    segs.append((("ا", 0.8), ("", 0.2)))
            elif c == "é":
                segs.append((("ي", 0.65), ("يه", 0.35)) if end else (("ي", 0.85), ("", 0.15)))
            elif c == "e":
                if end:
                    segs.append((("", 0.6), ("ي", 0.4)))  # French mute e
                elif i + 2 == n and w[-1] in "snt" and i > 0:
                    segs.append((("ي", 0.5), ("", 0.5)))  # -es, -en
                else:
                    segs.append((("ي", 0.6), ("", 0.4)))
            elif c in "iîïy":
                if vowel(i + 1) and c == "y" or end:
                    segs.append((("ي", 1.0),))
                else:
                    segs.append((("ي", 0.9), ("", 0.1)))
            elif c in "oôö":
                segs.append((("و", 1.0),) if end else (("و", 0.9), ("", 0.1)))
            else:  # u ü û ù
                segs.append((("و", 0.85), ("ي", 0.15)))
            i += 1
            continue
        # --- consonant clusters
        if rest.startswith("tch") or rest.startswith("tsh"):
            segs.append((("تش", 0.8), ("ش", 0.2)))
            i += 3
            continue
        if rest.startswith("dj") or rest.startswith("dg"):
            segs.append((("ج", 0.6), ("دج", 0.4)))
            i += 2
            continue
        if rest.startswith("ch") or rest.startswith("sh"):
            segs.append((("ش", 1.0),))
            i += 2
            continue
        if rest.startswith("kh"):
            segs.append((("خ", 1.0),))
            i += 2
            continue
        if rest.startswith("gh") or (rest.startswith("rh") and not start and i > 0 and w[i - 1] not in VOWELS):
            segs.append((("غ", 1.0),))
            i += 2
            continue
        if rest.startswith("rh"):
            segs.append((("ر", 0.5), ("غ", 0.5)))
            i += 2
            continue
        if rest.startswith("th"):
            segs.append((("ت", 0.6), ("ث", 0.4)))
            i += 2
            continue
        if rest.startswith("dh"):
            segs.append((("ذ", 0.6), ("د", 0.4)))
            i += 2
            continue
        if rest.startswith("ph"):
            segs.append((("ف", 1.0),))
            i += 2
            continue
        if rest.startswith("qu") or rest.startswith("ck"):
            segs.append((("ك", 0.7), ("ق", 0.3)))
            i += 2
            continue
        if rest.startswith("gu") and vowel(i + 2) and w[i + 2] in "eéiy":
            segs.append(_g(cc))
            i += 2  # the u only hardens the g
            continue
        if rest.startswith("gn") and vowel(i + 2):
            segs.append((("ني", 0.5), ("غن", 0.5)))
            i += 2
            continue
        if c == "g":
            if nxt in ("e", "é", "i", "y") and not arabic:
                segs.append((("ج", 0.5), ("غ", 0.4), ("ق", 0.1)))
            else:
                segs.append(_g(cc))
            i += 2 if nxt == "g" else 1
            continue
        if c == "c":
            if nxt in ("e", "é", "i", "y"):
                segs.append((("س", 1.0),))
            else:
                segs.append((("ك", 1.0),))
            i += 2 if nxt == "c" else 1
            continue
        simple = {
            "b": (("ب", 1.0),),
            "p": (("ب", 1.0),),
            "f": (("ف", 1.0),),
            "v": (("ف", 1.0),),
            "t": (("ت", 0.9), ("ط", 0.1)) if arabic else (("ت", 1.0),),
            "d": (("د", 1.0),),
            "s": (("س", 0.9), ("ص", 0.1)) if arabic else (("س", 1.0),),
            "z": (("ز", 1.0),),
            "j": (("ج", 1.0),),
            "k": (("ك", 1.0),),
            "q": (("ق", 0.7), ("ك", 0.3)),
            "l": (("ل", 1.0),),
            "m": (("م", 1.0),),
            "n": (("ن", 1.0),),
            "r": (("ر", 1.0),),
            "h": (("ه", 0.8), ("ح", 0.2)) if arabic else (("ه", 1.0),),
            "w": (("و", 1.0),),
            "x": (("كس", 1.0),),
        }.get(c)
        if simple is None:  # apostrophes and anything unknown
            i += 1
            continue
        segs.append(simple)
        i += 2 if nxt == c else 1  # a double letter is written once
    return segs


def _word_variants(w: str, cc: str, first_word: bool, beam: int = 12) -> list[Option]:
    if w in WORDS:
        return list(WORDS[w])
    if w in ("n", "m"):  # «N'Djamena», «Fada N'gourma»: a nasal standing before the next word
        return [("ن" if w == "n" else "م", 0.55), ("ان" if w == "n" else "ام", 0.45)]
    out: list[Option] = [("", 1.0)]
    for opts in _segments(w, cc, first_word):
        nxt = [(a + o, s * p) for a, s in out for o, p in opts]
        nxt.sort(key=lambda x: -x[1])
        out = nxt[:beam]
    return [(_tidy(a), s) for a, s in out if a]


def _tidy(a: str) -> str:
    a = re.sub(r"ا{2,}", "ا", a)
    a = re.sub(r"(.)\1\1+", r"\1\1", a)
    a = a.replace("يي", "ي") if len(a) > 4 and a.endswith("يي") else a
    return a


def _article(word: str) -> str:
    """The Arabic article for the next word, assimilated or not (folding makes them equal)."""
    return "ال"


def variants(name: str, country: str = "", k: int = 5, min_ratio: float = 0.15) -> list[str]:
    """Up to k Arabic spellings of a Latin place name, best first (distinct once folded).

    `country` is the ISO alpha-2 code; it picks the regional habits (ق for g in the
    Maghreb and Chad, ة for a final -a in Arabic-speaking countries, عين for In-)."""
    cc = country.upper()
    key = latin_key(name)
    raw = [w for w in re.split(r"([\s\-']+)", key) if w]
    words: list[tuple[str, str]] = []  # (word, separator before it)
    sep = ""
    for part in raw:
        if re.fullmatch(r"[\s\-']+", part):
            sep = "'" if "'" in part else ("-" if "-" in part else " ")
            continue
        words.append((part, sep))
        sep = ""
    if not words:
        return []
    # Tamasheq «Ti-n-Essako», «Tin-Zaouaten», «In Guezzam».
    combos: list[tuple[str, float]] = [("", 1.0)]
    j = 0
    while j < len(words):
        w, s = words[j]
        if w in DROP_WORDS and 0 < j < len(words) - 1:
            j += 1
            continue
        opts: list[Option]
        joiners: list[Option]
        if w in ARTICLE_WORDS and j < len(words) - 1:
            nw = words[j + 1][0]
            rest = _word_variants(nw, cc, False)
            opts = [("ال" + _strip_alef(a), p) for a, p in rest]
            j += 2
            joiners = [(" ", 1.0)]
        elif w in ("tin", "ti") and j < len(words) - 1 and (w == "tin" or words[j + 1][0] == "n"):
            if w == "ti":  # «Ti-n-Essako»
                j += 1
            nw = words[j + 1][0]
            rest = _word_variants(nw, cc, False)
            opts = []
            for a, p in rest[:6]:
                b = _strip_alef(a)
                opts += [("تين " + b, p * 0.5), ("تين" + b, p * 0.3), ("تن" + b, p * 0.2)]
            j += 2
            joiners = [(" ", 1.0)]
        elif w == "in" and len(words) > j + 1 and j == 0:
            nw = words[j + 1][0]
            rest = _word_variants(nw, cc, False)
            lead = (("عين ", 0.6), ("إن ", 0.4)) if cc == "DZ" else (("إن ", 0.5), ("إن", 0.3), ("عين ", 0.2))
            opts = [(lw + _strip_alef(a), p * q) for a, p in rest[:6] for lw, q in lead]
            j += 2
            joiners = [(" ", 1.0)]
        else:
            opts = _word_variants(w, cc, j == 0)
            joiners = [(" ", 1.0)] if s != "-" else [(" ", 0.7), ("", 0.3)]
            if j > 0 and words[j - 1][0] in ("n", "m"):
                joiners = [("", 1.0)]  # «نغورما», never «ن غورما»
            elif s == "'":
                joiners = [("", 0.6), (" ", 0.4)]
            j += 1
        if combos == [("", 1.0)]:
            nxt = [(a, p) for a, p in opts]
        else:
            nxt = [(c + jn + a, q * pj * p) for c, q in combos for jn, pj in joiners for a, p in opts]
        nxt.sort(key=lambda x: -x[1])
        combos = nxt[:24]
    best: dict[str, tuple[str, float]] = {}
    for a, p in combos:
        a = " ".join(a.split())
        f = fold_ar(a)
        if f and (f not in best or best[f][1] < p):
            best[f] = (a, p)
    ranked = sorted(best.values(), key=lambda x: -x[1])
    if not ranked:
        return []
    top = ranked[0][1]
    return [a for a, p in ranked if p >= top * min_ratio][:k]


def _strip_alef(a: str) -> str:
    """A word after a prefix loses its initial hamza seat («تين» + «أكوف» → «تين أكوف» keeps it)."""
    return a
