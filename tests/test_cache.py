"""The compiled-rule cache: hits equal fresh compiles, edits invalidate, bad entries fall back,
and nothing in it runs as code: an entry anyone else could write is never read, and the
unpickler builds only a RuleSet's own classes."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import orjson
import pytest

from sahel_events import DocMeta, Extractor, RuleError
from sahel_events import cache as cache_mod
from sahel_events.cache import CacheWarning, cache_key, load_rules_cached
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

    magic, key, rs, entries = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps((magic, "0" * 64, rs, entries)))
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
    magic, key, rs, entries = pickle.loads(entry.read_bytes())
    object.__delattr__(rs, "digest")
    entry.write_bytes(pickle.dumps((magic, key, rs, entries)))
    got = load_rules_cached(pack, cache)
    assert got.digest == good.digest


def test_hit_does_not_compile(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A fresh entry of the shipped pack loads through the restricted unpickler (so every
    class a RuleSet holds is allowed), and gives the same events."""
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    first = load_rules_cached(pack, cache)

    def no_compile(*a: object) -> None:
        raise AssertionError("compiled although the cache holds the pack")

    monkeypatch.setattr(cache_mod, "load_rules", no_compile)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        again = load_rules_cached(pack, cache)
    assert _events(again) == _events(first)
    assert len(again.lexicon) == len(first.lexicon)


def test_created_private_whatever_the_umask(pack: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    cache = tmp_path / "cache"
    old = os.umask(0)
    try:
        load_rules_cached(pack, cache)
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (entry,) = _entries(cache)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [p.name for p in cache.iterdir()] == [entry.name]  # no temporary file left


class _Command:
    """A pickle that runs a command when loaded (the attack of issue 12)."""

    def __init__(self, how: str, marker: Path) -> None:
        self.how, self.marker = how, marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        if self.how == "os.system":
            return (os.system, (f"touch {self.marker}",))
        if self.how == "subprocess":
            return (subprocess.call, (["touch", str(self.marker)],))
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


def _plant(cache: Path, pack: Path, how: str, marker: Path) -> Path:
    cache.mkdir(exist_ok=True)
    entry = cache / f"rules-{cache_key(pack)[:40]}.pickle"
    entry.write_bytes(pickle.dumps(_Command(how, marker)))
    return entry


@pytest.mark.parametrize("how", ["os.system", "subprocess", "eval"])
@pytest.mark.parametrize("folder_mode", [0o777, 0o700])
def test_a_pickle_that_runs_a_command_is_never_run(pack: Path, tmp_path: Path, rules, monkeypatch, how, folder_mode) -> None:  # type: ignore[no-untyped-def]
    """In a folder others can write (0777) the entry is not even opened; in our own 0700
    folder the restricted unpickler refuses it.  Either way the run gives the right events."""
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    monkeypatch.setattr(cache_mod, "_warned", set())
    cache, marker = tmp_path / "cache", tmp_path / "marker"
    entry = _plant(cache, pack, how, marker)
    planted = entry.read_bytes()
    cache.chmod(folder_mode)
    with pytest.warns(CacheWarning, match="writable by group or others" if folder_mode == 0o777 else "refused"):
        got = load_rules_cached(pack, cache)
    assert not marker.exists(), "the cache ran a command"
    assert _events(got) == _events(rules) and _events(got)
    if folder_mode == 0o777:
        assert entry.read_bytes() == planted  # nothing read from or written to a folder others can write
    else:
        assert entry.read_bytes() != planted  # our own folder: replaced by a good entry, used next time
        monkeypatch.setattr(cache_mod, "load_rules", None)
        assert _events(load_rules_cached(pack, cache)) == _events(rules)
    assert not marker.exists()


_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
_NEEDS_ROOT = pytest.mark.skipif(not _ROOT, reason="giving a file away needs root")


@pytest.mark.parametrize(
    "what, warning",
    [
        pytest.param("folder of another user", "the folder is owned by uid 65534", marks=_NEEDS_ROOT),
        pytest.param("entry of another user", "entry .* owned by uid 65534", marks=_NEEDS_ROOT),
        ("group-writable entry", r"entry .* writable by group or others \(mode 0666"),
    ],
)
def test_what_someone_else_could_write_is_not_read(pack: Path, tmp_path: Path, rules, monkeypatch, what, warning) -> None:  # type: ignore[no-untyped-def]
    """The attack as reported: another user's folder or entry, even with a strict mode."""
    monkeypatch.delenv("SAHEL_EVENTS_NO_CACHE", raising=False)
    monkeypatch.setattr(cache_mod, "_warned", set())
    cache, marker = tmp_path / "cache", tmp_path / "marker"
    entry = _plant(cache, pack, "os.system", marker)
    planted = entry.read_bytes()
    cache.chmod(0o700)
    entry.chmod(0o666 if what == "group-writable entry" else 0o600)
    if what.endswith("another user"):
        os.chown(cache if what.startswith("folder") else entry, 65534, 65534)
    with pytest.warns(CacheWarning, match=warning):
        got = load_rules_cached(pack, cache)
    assert not marker.exists()
    assert _events(got) == _events(rules)
    if what.startswith("folder"):
        assert entry.read_bytes() == planted  # another user's folder: not written either
    else:  # our folder: the entry is replaced by one of ours, private
        st = entry.stat()
        assert entry.read_bytes() != planted and st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o600


def test_cli_names_an_unsafe_cache_once_and_still_extracts(tmp_path: Path, rules) -> None:  # type: ignore[no-untyped-def]
    xdg = tmp_path / "xdg"
    cache, marker = xdg / "sahel-events", tmp_path / "marker"
    cache.mkdir(parents=True)
    cache.chmod(0o777)
    env = {**os.environ, "XDG_CACHE_HOME": str(xdg)}
    env.pop("SAHEL_EVENTS_NO_CACHE", None)
    root = Path(__file__).resolve().parent.parent
    # The entry the CLI would look for (its key depends on the working folder: the checkout).
    cwd = os.getcwd()
    os.chdir(root)
    try:
        _plant(cache, default_rules_dir(), "os.system", marker)
    finally:
        os.chdir(cwd)
    cache.chmod(0o777)
    run = subprocess.run(
        [sys.executable, "-m", "sahel_events", "extract", "--published", "2025-11-05", str(SAMPLE)],
        capture_output=True, text=True, cwd=root, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert not marker.exists()
    assert run.stderr.count("sahel-events: warning: compiled-rule cache") == 1
    assert "writable by group or others (mode 0777" in run.stderr
    assert run.stdout.count("\n") == len(_events(rules)) > 0
