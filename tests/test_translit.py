"""The rules that spell Latin place names in Arabic (scripts/translit.py) give the spellings news uses.

Checked on the observed pairs of scripts/translit_pairs.tsv (spellings read in Arabic outlets) and
on the hand-written spellings of places.toml; no GeoNames data is needed."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from sahel_events.text import normalize_term

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def _translit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translit", SCRIPTS / "translit.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["translit"] = mod
    spec.loader.exec_module(mod)
    return mod


T = _translit()


def _pairs() -> list[tuple[str, str, str, str, str]]:
    rows = []
    for line in (SCRIPTS / "translit_pairs.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and not line.startswith("latin\t"):
            latin, cc, arabic, source, rule = line.split("\t")
            rows.append((latin, cc, arabic, source, rule))
    return rows


PAIRS = _pairs()


def _spelled(latin: str, cc: str, k: int = 6) -> set[str]:
    return {normalize_term(v) for v in T.variants(latin, cc, k=k)}


@pytest.mark.parametrize("latin, cc, arabic, source, rule", PAIRS)
def test_observed_spelling(latin: str, cc: str, arabic: str, source: str, rule: str) -> None:
    """A regular spelling seen in the news is among the rules' first six; an irregular one is not
    (so that only a hand entry in places.toml gives it)."""
    got = _spelled(latin, cc)
    assert (normalize_term(arabic) in got) == (rule == "yes"), f"{latin} ({cc}) → {sorted(got)}; {source} wrote «{arabic}»"


def test_enough_observed_pairs() -> None:
    assert len(PAIRS) >= 30 and sum(r[4] == "yes" for r in PAIRS) >= 25


def test_folding_is_the_engines() -> None:
    """The module folds Arabic as the engine does, so its de-duplication matches what the engine sees."""
    for latin, cc, *_ in PAIRS:
        for v in T.variants(latin, cc, k=8):
            assert T.fold_ar(v) == normalize_term(v), v


@pytest.mark.parametrize(
    "latin, cc, wanted",
    [
        ("N'Djamena", "TD", {"نجامينا", "انجامينا"}),  # «ن» or «ان» before «د»
        ("Fada N'gourma", "BF", {"فادا نغورما", "فادا انغورما"}),
        ("Tin-Zaouatene", "ML", {"تين زاواتين", "تينزاواتين"}),  # Tin- apart or joined
        ("Bobo-Dioulasso", "BF", {"بوبو ديولاسو", "بوبوديولاسو"}),  # a hyphen is a space or nothing
        ("Ségou", "ML", {"سيغو", "سيجو"}),  # g as غ or ج
        ("Guéra", "TD", {"قيرا"}),  # ق for g in Chad, the u of gu silent
        ("Ouallam", "NE", {"والام"}),  # ou before a vowel is و, a double letter written once
        ("Kantchari", "BF", {"كانتشاري"}),  # tch
        ("Djibo", "BF", {"جيبو", "دجيبو"}),  # dj
        ("Agadez", "NE", {"أغاديز"}),  # an initial a carries أ
        ("Kiffa", "MR", {"كيفة", "كيفا"}),  # final -a as ة in an Arabic-speaking country
        ("Bordj Badji Mokhtar", "DZ", {"برج باجي موختار"}),  # Bordj is a word, not letters
    ],
)
def test_rule(latin: str, cc: str, wanted: set[str]) -> None:
    got = _spelled(latin, cc)
    missing = {normalize_term(w) for w in wanted} - got
    assert not missing, f"{latin}: {sorted(got)} lacks {sorted(missing)}"


def test_hand_spellings_are_mostly_what_the_rules_give() -> None:
    """On the places the project spelled by hand (West Africa), the rules' first four spellings of the
    ASCII name hold a hand spelling for nine places in ten: the rules are fit to spell the rest."""
    text = (ROOT / "rules" / "lexicon" / "places.toml").read_text(encoding="utf-8")
    hand = tomllib.loads(text.split("# ====================================================================== GENERATED")[0])
    iso2 = {c["name"]: c["iso2"] for c in tomllib.loads((ROOT / "rules" / "lexicon" / "countries.toml").read_text(encoding="utf-8"))["country"]}
    west = {"ML", "BF", "NE", "SN", "GN", "CI", "GH", "TG", "BJ", "NG"}
    hit = total = 0
    for p in hand["place"]:
        cc = iso2.get(p["country"], "")
        if cc not in west:
            continue
        total += 1
        hit += bool({normalize_term(n) for n in p["names"]} & _spelled(p["name"], cc, k=4))
    assert total >= 150 and hit / total >= 0.9, f"{hit}/{total}"
