"""Compiled-rule cache: a rule pack is compiled once and unpickled after that.

Compiling the shipped pack takes ~0.12 s (TOML parsing, pattern expansion,
two Aho–Corasick automata); loading the result takes ~15 ms.  That matters
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

Nothing read from the cache runs as code (issue 12):
- an entry is read only from a folder owned by the running user and writable
  by no one else (created 0700), and only when the entry itself is a regular
  file owned by that user and not writable by group or others (written 0600).
  Otherwise a `CacheWarning` is issued (once per process and folder) and the
  pack is compiled without the cache: an unsafe folder is neither read nor
  written; an unsafe entry in the user's own folder is not read but replaced;
- the entry is unpickled by `_RuleUnpickler`, which can build only the data
  classes of a RuleSet (`_ALLOWED`) and builtin containers: a pickle that
  names any other callable (`os.system`, `subprocess.Popen`, `eval`, …) is
  refused (with a CacheWarning) before it can call it, and the pack compiled afresh;
- the lexicon's Aho–Corasick automaton is not stored as its own pickle (a
  binary blob parsed by C code) but as its (literal, entry) pairs, and rebuilt
  (~2 ms).
A plain-data format (JSON through orjson, decoded into the same classes) was
measured at 67–81 ms for the shipped pack, over the 50 ms budget; the
restricted unpickler keeps ~15 ms.

A cache that cannot be read (missing, truncated, corrupt, written by another
version) is ignored silently and the pack is compiled afresh; a cache folder
that cannot be written is ignored too.  A pack with errors is never cached:
`load_rules` raises its RuleError exactly as without the cache.
`SAHEL_EVENTS_NO_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import secrets
import stat
import sys
import warnings
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from .rules import RuleSet, build_lexicon, default_rules_dir, load_rules
from .tomlpos import read_pack_file

__all__ = ["CacheWarning", "cache_dir_default", "cache_key", "load_rules_cached", "pack_files"]

_MAGIC = "sahel-events-rules/2"  # 2: restricted classes, the lexicon as its entries
_KEEP = 8  # newest entries kept in the cache folder

# The only classes a cache entry may name: those a compiled RuleSet is made of.
_ALLOWED: dict[str, frozenset[str]] = {
    "sahel_events.rules": frozenset({"RuleSet", "Rule", "SlotSpec", "Example", "Cue", "Actor", "Country", "Place", "Morphology"}),
    "sahel_events.pattern": frozenset({"Word", "Words", "Gap", "Slot", "Variant"}),
    "sahel_events.scan": frozenset({"LiteralScanner"}),
    "sahel_events.dates": frozenset({"DateGrammar"}),
    "sahel_events.numbers": frozenset({"NumberGrammar", "Alternation", "_Entry"}),
}
_O = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_warned: set[str] = set()


class CacheWarning(UserWarning):
    """The compiled-rule cache was not used because another user could have written it,
    or an entry was refused; the rules were compiled afresh (the run is unaffected)."""


class _Refused(pickle.UnpicklingError):
    pass


class _RuleUnpickler(pickle.Unpickler):
    """An unpickler that can build only the classes of a compiled RuleSet."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            obj = getattr(sys.modules.get(module), name, None)
            if isinstance(obj, type) and obj.__module__ == module:
                return obj
        raise _Refused(f"{module}.{name}")


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
    """SHA-256 over the pack's file names and bytes plus everything the pickle depends on.

    Raises OSError for a file that cannot be read or is not a regular file of a sane size
    (`load_rules` then names it)."""
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
        h.update(read_pack_file(p))  # a FIFO swapped in after the listing must not block
        h.update(b"\0")
    return h.hexdigest()


def _warn(folder: Path, why: str) -> None:
    """Once per process and folder: the library warns, the CLI prints it on stderr."""
    if str(folder) in _warned:
        return
    _warned.add(str(folder))
    warnings.warn(CacheWarning(f"compiled-rule cache {folder} not used: {why}; rules compiled afresh"), stacklevel=3)


def _unsafe(st: os.stat_result) -> str | None:
    """Why a cache folder or entry with this status could have been written by someone else."""
    uid = os.geteuid()
    if st.st_uid != uid:
        return f"owned by uid {st.st_uid}, not by this user (uid {uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def _open_folder(folder: Path) -> int | None:
    """A descriptor of the cache folder, created 0700 if missing, when it is safe to use;
    entries are then opened relative to it, so the folder checked is the folder used."""
    if not hasattr(os, "geteuid") or os.open not in os.supports_dir_fd:
        return None  # no owners or no *at() calls: no cache rather than an unchecked one
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # cannot create or open: no cache, not an error
    why = _unsafe(os.fstat(fd))
    if why:
        os.close(fd)
        _warn(folder, f"the folder is {why}; make it yours with mode 0700")
        return None
    return fd


def _read(folder: Path, dfd: int, name: str, key: str) -> RuleSet | None:
    try:
        fd = os.open(name, os.O_RDONLY | _O, dir_fd=dfd)
    except OSError:
        return None  # no entry yet (or a symbolic link: not ours to follow)
    with open(fd, "rb", closefd=True) as fh:
        st = os.fstat(fd)
        why = _unsafe(st) if stat.S_ISREG(st.st_mode) else "not a regular file"
        if why:
            _warn(folder, f"entry {name} is {why}; replaced by a fresh one")
            return None
        try:
            raw = fh.read()
        except OSError:
            return None
    # Unpickling builds a few thousand small objects: the cyclic GC would
    # run several times for nothing (it costs ~30% of the load).
    enabled = gc.isenabled()
    gc.disable()
    try:
        got = _RuleUnpickler(io.BytesIO(raw)).load()
        ok = isinstance(got, tuple) and len(got) == 4 and got[0] == _MAGIC and got[1] == key and isinstance(got[2], RuleSet)
        if not ok or not all(hasattr(got[2], f.name) for f in fields(RuleSet)):
            return None  # another key (a prefix clash), or pickled from another shape of RuleSet
        rs: RuleSet = got[2]
        object.__setattr__(rs, "lexicon", build_lexicon(got[3]))
    except _Refused as e:
        _warn(folder, f"entry {name} refused: it names {e}, which no compiled rule pack holds; replaced by a fresh one")
        return None
    except Exception:  # corrupt, truncated, from another version: compile afresh
        return None
    finally:
        if enabled:
            gc.enable()
    return rs


def _write(dfd: int, name: str, key: str, rs: RuleSet) -> None:
    try:
        entries = sorted(rs.lexicon.items())  # the order load_rules adds them in
        data = pickle.dumps((_MAGIC, key, replace(rs, lexicon=None), entries), protocol=pickle.HIGHEST_PROTOCOL)
        tmp = f".rules-{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O, 0o600, dir_fd=dfd)
        try:
            with open(fd, "wb", closefd=True) as fh:
                fh.write(data)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            os.unlink(tmp, dir_fd=dfd)
            raise
        _prune(dfd)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # a cache we cannot write is no cache, not an error


def _prune(dfd: int) -> None:
    entries = []
    with os.scandir(dfd) as it:
        for e in it:
            if e.name.startswith("rules-") and e.name.endswith(".pickle"):
                try:
                    entries.append((e.stat(follow_symlinks=False).st_mtime, e.name))
                except OSError:
                    continue
    entries.sort(reverse=True)
    for _, name in entries[_KEEP:]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=dfd)


def load_rules_cached(root: str | Path | None = None, cache_dir: str | Path | None = None) -> RuleSet:
    """`load_rules(root)`, from the compiled-rule cache when the pack has not changed.

    Raises exactly what `load_rules` raises for a broken pack (and caches nothing).
    Issues a CacheWarning when the cache is not safe to use (see the module's doc)."""
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
    dfd = _open_folder(folder)
    if dfd is None:
        return load_rules(rootp)
    try:
        name = f"rules-{key[:40]}.pickle"
        rs = _read(folder, dfd, name, key)
        if rs is not None:
            return rs
        rs = load_rules(rootp)
        try:
            unchanged = cache_key(rootp) == key  # a file edited while compiling: do not store under the old key
        except OSError:
            unchanged = False
        if unchanged:
            _write(dfd, name, key, rs)
        return rs
    finally:
        os.close(dfd)
