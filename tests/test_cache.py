"""The compiled-rule cache: hits equal fresh compiles, edits invalidate, bad entries fall back."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from sahel_events import DocMeta, Extractor, RuleError
from sahel_events.cache import cache_key, load_rules_cached
from sahel_events.rules import default_rules_dir

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "mali-nioro-fuel-blockade.txt"


def _events(rules) -> list[bytes]:  # type: ignore[no-untyped-def]
    text = SAMPLE.read_text(encoding="utf-8")
    evs = Extractor(rules).extract(text, DocMeta(doc_id="s", published="2025-11-05"))
    return sorted(orjson.dumps(e.to_record()) for e in evs)


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), dst)
    return dst


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.pickle"))


def test_hit_equals_fresh_compile(pack: Path, tmp_path: Path, rules, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    first = load_rules_cached(pack, cache)
    assert len(_entries(cache)) == 1
    again = load_rules_cached(pack, cache)
    assert again is not first  # unpickled, not the same object
    assert again.digest == first.digest == rules.digest
    assert len(again.rules) == len(first.rules) and len(again.anchors) == len(first.anchors)
    assert _events(again) == _events(first) == _events(rules)
    assert _events(again)  # the sample has events


def test_rule_file_change_invalidates(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    before = load_rules_cached(pack, cache)
    key = cache_key(pack)
    f = pack / "blockade.toml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert cache_key(pack) != key
    after = load_rules_cached(pack, cache)
    assert after.digest != before.digest
    assert len(_entries(cache)) == 2
    # A lexicon TSV counts too.
    tsv = pack / "lexicon" / "places.tsv"
    key2 = cache_key(pack)
    tsv.write_bytes(tsv.read_bytes() + b"\n")
    assert cache_key(pack) != key2
    third = load_rules_cached(pack, cache)
    assert third.digest != after.digest


def test_corrupt_entry_falls_back(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    good = load_rules_cached(pack, cache)
    (entry,) = _entries(cache)
    for bad in (b"", b"not a pickle", entry.read_bytes()[:1000], b"\x80\x05N."):
        entry.write_bytes(bad)
        got = load_rules_cached(pack, cache)
        assert got.digest == good.digest
        assert entry.read_bytes() != bad  # rewritten with a good entry
    # An entry under the right name but for another key (e.g. a hash-prefix clash) is ignored.
    import pickle

    entry.write_bytes(pickle.dumps(("sahel-events-rules/1", "0" * 64, good)))
    assert load_rules_cached(pack, cache).digest == good.digest


def test_rule_errors_surface_and_are_not_cached(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    (pack / "blockade.toml").write_text('family = "blockade"\n[[rule]]\nid = \n', encoding="utf-8")
    from sahel_events import load_rules

    with pytest.raises(RuleError) as plain:
        load_rules(pack)
    with pytest.raises(RuleError) as cached:
        load_rules_cached(pack, cache)
    assert str(cached.value) == str(plain.value)
    assert cached.value.problems == plain.value.problems
    assert _entries(cache) == []
    with pytest.raises(RuleError):
        load_rules_cached(tmp_path / "missing", cache)


def test_disabled_and_unwritable(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    monkeypatch.setenv("SAHEL_EVENTS_NO_CACHE", "1")
    assert load_rules_cached(pack, cache).digest
    assert not cache.exists()
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert load_rules_cached(pack, blocker / "sub").digest  # cannot create the folder: still loads


def test_default_location_follows_xdg(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_rules_cached(pack)
    assert len(_entries(tmp_path / "xdg" / "sahel-events")) == 1


def test_stale_shape_is_ignored(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An entry whose RuleSet lacks a field (pickled by older code) is recompiled, not used."""
    import pickle

    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    good = load_rules_cached(pack, cache)
    (entry,) = _entries(cache)
    magic, key, rs = pickle.loads(entry.read_bytes())
    object.__delattr__(rs, "digest")
    entry.write_bytes(pickle.dumps((magic, key, rs)))
    got = load_rules_cached(pack, cache)
    assert got.digest == good.digest
