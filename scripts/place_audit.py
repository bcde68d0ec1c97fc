#!/usr/bin/env python3
"""List every place the gazetteer finds in a set of texts, to count false places.

Development-time tool (run with the project's venv):

    .venv/bin/python scripts/place_audit.py samples/ /work/snapdata/bench --generated
    .venv/bin/python scripts/place_audit.py samples/ --rules rules/ --tsv hits.tsv

Every sentence of every *.txt file is read (not only those with a rule anchor), and every place
mention is counted by (spelling as written, place, country, kind, hand or generated), most frequent
first. A place is "generated" when its entry lies below the GENERATED mark of places.toml. Judge the
list by eye: a spelling that is a word in the sentence is a false place.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sahel_events import load_rules  # noqa: E402
from sahel_events.match import Document, PlaceRef  # noqa: E402

MARK = "# ====================================================================== GENERATED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", type=Path, help="text files or folders of *.txt")
    ap.add_argument("--rules", type=Path, default=ROOT / "rules")
    ap.add_argument("--generated", action="store_true", help="only places of the generated part")
    ap.add_argument("--tsv", type=Path, help="write the counts here as well")
    a = ap.parse_args()
    rs = load_rules(a.rules)
    text = (a.rules / "lexicon" / "places.toml").read_text(encoding="utf-8")
    hand = tomllib.loads(text.split(MARK)[0])
    hand_keys = {(p["name"], p["country"]) for t in ("place", "region") for p in hand.get(t, [])}
    files: list[Path] = []
    for p in a.paths:
        files += sorted(p.rglob("*.txt")) if p.is_dir() else [p]
    hits: Counter[tuple[str, str, str, str, str]] = Counter()
    docs: Counter[tuple[str, str, str, str, str]] = Counter()
    for f in files:
        doc = Document(f.read_text(encoding="utf-8", errors="replace"), rs)
        seen: set[tuple[str, str, str, str, str]] = set()
        i = 0
        while True:
            try:
                doc.span(i)
            except IndexError:
                break
            sent = doc.sentence(i)
            for e in sent.places:
                ref = e.ref
                if not isinstance(ref, PlaceRef) or ref.place < 0:
                    continue
                p = rs.places[ref.place]
                origin = "hand" if (p.name, p.country) in hand_keys else "generated"
                if a.generated and origin == "hand":
                    continue
                surface = " ".join(t.text for t in sent.tokens[e.start : e.end])
                key = (surface, p.name, p.country, p.kind, origin)
                hits[key] += 1
                seen.add(key)
            i += 1
        docs.update(seen)
    lines = [f"{n}\t{docs[k]}\t" + "\t".join(k) for k, n in hits.most_common()]
    print(f"# {len(files)} files, {sum(hits.values())} place mentions, {len(hits)} distinct (count, docs, spelling, place, country, kind, origin)")
    print("\n".join(lines))
    if a.tsv:
        a.tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
