"""Compiled-rule cache: a rule pack is compiled once and unpickled after that.

Compiling the shipped pack takes ~0.15 s (TOML parsing, pattern expansion,
two Aho–Corasick automata); unpickling the result takes ~30 ms.  That matters
for a new process per article (a shell loop, a CGI-style service, `xargs`)
and for every worker of a pool.

    from sahel_events.cache import load_rules_cached
    rules = load_rules_cached()            # same RuleSet as load_rules(), from the cache when fresh

The key is a SHA-256 over the name and bytes of every file of the pack
(`*.toml`, `lexicon/*.toml`, `lexicon/*.tsv`), the package version and its
source files (a checkout changes the code without the version), the
Python and pyahocorasick builds, and where the pack was loaded from (rule
records name their file relative to the working folder).  Any change to a rule
file gives a new key, so a stale entry is never used.  Entries live in
`$XDG_CACHE_HOME/sahel-events/` (default `~/.cache/sahel-events/`), are
written atomically (temporary file + rename), and the newest few are kept.

A cache that cannot be read (missing, truncated, corrupt, written by another
version) is ignored silently and the pack is compiled afresh; a cache folder
that cannot be written is ignored too.  A pack with errors is never cached:
`load_rules` raises its RuleError exactly as without the cache.
`SAHEL_EVENTS_NO_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

from .rules import RuleSet, default_rules_dir, load_rules

__all__ = ["cache_dir_default", "cache_key", "load_rules_cached", "pack_files"]

_MAGIC = "sahel-events-rules/1"
_KEEP = 8  # newest entries kept in the cache folder


def cache_dir_default() -> Path:
    """`$XDG_CACHE_HOME/sahel-events`, else `~/.cache/sahel-events`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sahel-events"


def pack_files(root: Path) -> list[Path]:
    """The files a rule pack is compiled from, in a stable order."""
    files = [p for p in root.glob("*.toml") if p.is_file()]
    lex = root / "lexicon"
    files += [p for pat in ("*.toml", "*.tsv") for p in lex.glob(pat) if p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def cache_key(root: Path) -> str:
    """SHA-256 over the pack's file names and bytes plus everything the pickle depends on."""
    from . import __version__

    h = hashlib.sha256()
    try:
        import ahocorasick

        aho = getattr(ahocorasick, "__file__", "") or ""
    except ImportError:  # pragma: no cover - a hard dependency
        aho = ""
    for part in (_MAGIC, __version__, sys.version, aho, str(root), os.getcwd()):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    # The code that builds a RuleSet is part of what it is: a development checkout
    # changes it without changing the version (a new RuleSet field must not meet an old pickle).
    for src in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    for p in pack_files(root):
        h.update(p.relative_to(root).as_posix().encode("utf-8", "surrogatepass") + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _read(path: Path, key: str) -> RuleSet | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # Unpickling builds a few thousand small objects: the cyclic GC would
    # run several times for nothing (it costs ~30% of the load).
    enabled = gc.isenabled()
    gc.disable()
    try:
        got = pickle.loads(raw)
    except Exception:  # corrupt, truncated, from another version: compile afresh
        return None
    finally:
        if enabled:
            gc.enable()
    if not (isinstance(got, tuple) and len(got) == 3 and got[0] == _MAGIC and got[1] == key and isinstance(got[2], RuleSet)):
        return None
    if not all(hasattr(got[2], f.name) for f in fields(RuleSet)):
        return None  # pickled from another shape of RuleSet
    return got[2]


def _write(folder: Path, path: Path, key: str, rs: RuleSet) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps((_MAGIC, key, rs), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # a cache we cannot write is no cache, not an error


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("rules-*.pickle"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _, p in entries[_KEEP:]:
        p.unlink(missing_ok=True)


def load_rules_cached(root: str | Path | None = None, cache_dir: str | Path | None = None) -> RuleSet:
    """`load_rules(root)`, from the compiled-rule cache when the pack has not changed.

    Raises exactly what `load_rules` raises for a broken pack (and caches nothing)."""
    if os.environ.get("SAHEL_EVENTS_NO_CACHE", "") not in ("", "0"):
        return load_rules(root)
    rootp = Path(root) if root is not None else default_rules_dir()
    if not rootp.is_dir():
        return load_rules(rootp)  # the RuleError for a missing folder
    try:
        key = cache_key(rootp)
    except OSError:
        return load_rules(rootp)  # an unreadable file: load_rules names it
    folder = Path(cache_dir) if cache_dir is not None else cache_dir_default()
    path = folder / f"rules-{key[:40]}.pickle"
    rs = _read(path, key)
    if rs is not None:
        return rs
    rs = load_rules(rootp)
    try:
        unchanged = cache_key(rootp) == key  # a file edited while compiling: do not store under the old key
    except OSError:
        unchanged = False
    if unchanged:
        _write(folder, path, key, rs)
    return rs
