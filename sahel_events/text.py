"""Normalisation, offset map, sentences and tokens.

Both document text and rule patterns go through `normalize`, so an author
writes «حِصاراً» or «حصارا» and matches both.  Matching happens on the
normalised text; every reported span is mapped back to the ORIGINAL text with
`OffsetMap`, so evidence is always ``original[start:end]``.

Why one table: a chain of pyarabic calls runs at ~9 MiB/s; finding which
characters to change (`in` for the frequent ones, one regex for the rare),
then one `str.replace` each, runs at several times `str.translate` with the
same table.  One-to-one replacements keep offsets, so
the offset map only counts deletions and expansions, and only in the chunk a
span falls in.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from typing import NamedTuple

from pyarabic import araby

__all__ = [
    "Normalized",
    "OffsetMap",
    "Token",
    "normalize",
    "normalize_term",
    "sentence_ends",
    "sentence_spans",
    "cuts",
    "tokenize",
    "windows",
]


def _build_tables() -> tuple[dict[int, str], dict[int, str], frozenset[str]]:
    """One-to-one table, multi-character expansions, and deletions."""
    one: dict[int, str] = {}
    expand: dict[int, str] = {}
    delete: set[str] = set()
    # Diacritics (tashkeel and Quranic marks), tatweel, combining marks of any script.
    delete.update(araby.TASHKEEL)
    delete.add(araby.TATWEEL)
    for lo, hi in (
        (0x0300, 0x036F),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x0670, 0x0670),
        (0x06D6, 0x06DC),
        (0x06DF, 0x06E4),
        (0x06E7, 0x06E8),
        (0x06EA, 0x06ED),
        (0x08D3, 0x08FF),
        (0xFE20, 0xFE2F),
    ):
        delete.update(chr(c) for c in range(lo, hi + 1))
    # Bidi controls, zero-width characters, soft hyphen, BOM.
    delete.update("\u200b\u200c\u200d\u200e\u200f\u2060\u061c\u00ad\ufeff")
    delete.update(chr(c) for c in range(0x202A, 0x202F))
    delete.update(chr(c) for c in range(0x2066, 0x206A))
    # Letters: alef forms, alef maqsura, ta marbuta, hamza carriers, Persian/Urdu letters.
    for c in "أإآٱ":
        one[ord(c)] = "ا"
    one[ord("ى")] = "ي"
    one[ord("ة")] = "ه"
    one[ord("ؤ")] = "ء"
    one[ord("ئ")] = "ء"
    for src, dst in (("ی", "ي"), ("ې", "ي"), ("ک", "ك"), ("ڪ", "ك"), ("ۀ", "ه"), ("ہ", "ه"), ("ە", "ه"), ("ھ", "ه")):
        one[ord(src)] = dst
    # Digits: Arabic-Indic and extended (Persian) to ASCII; Arabic separators.
    for i, digit in enumerate(araby.NUMBERS_EAST):
        one[ord(digit)] = str(i)
    for i in range(10):
        one[0x06F0 + i] = str(i)
    one[0x066B] = "."
    one[0x066C] = ","
    one[0x066A] = "%"
    # Whitespace: every kind becomes a plain space; line separators become newlines.
    for c in "\t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000":
        one[ord(c)] = " "
    for c in "\r\u2028\u2029\x85":
        one[ord(c)] = "\n"
    # Latin letters fold to lower case (one-to-one for ASCII).
    for cp in range(ord("A"), ord("Z") + 1):
        one[cp] = chr(cp + 32)
    # NFKC for presentation forms, ligatures and full-width forms, then the tables above.
    for lo, hi in ((0xFB00, 0xFB06), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC), (0xFF01, 0xFF5E)):
        for cp in range(lo, hi + 1):
            c = chr(cp)
            n = unicodedata.normalize("NFKC", c)
            if n == c:
                continue
            n = "".join(one.get(ord(x), x) for x in n if x not in delete)
            if len(n) == 1:
                one[cp] = n
            elif not n:
                delete.add(c)
            else:
                expand[cp] = n
    return one, expand, frozenset(delete)


def _char_class(chars: set[str] | frozenset[str]) -> str:
    """A regex character class for `chars`, runs written as ranges (it compiles faster)."""
    cps = sorted(ord(c) for c in chars)
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


_ONE, _EXPAND, _DELETE = _build_tables()
_SPECIAL = re.compile(_char_class(_DELETE | {chr(c) for c in _EXPAND}) + "+")


_CHUNK = 256  # original characters per checkpoint of the offset map
_BLOCK = 64  # chunks per block: blocks are counted first, a block's chunks when a query falls in it


class OffsetMap:
    """Map from normalised positions to the original positions that produced them.

    Built lazily: a checkpoint every `_CHUNK` original characters records the
    normalised length so far, and a query walks the deletions and expansions
    of one chunk only.  A heavily diacritised article has a deletion after
    every third letter; walking all of them for the two or three spans an
    event reports cost more than finding the event.  Checkpoints are counted
    a block of chunks at a time (`str.count` over 16 Ki characters costs
    little more than over 256), and a block's own chunks only when a query
    falls in it: a window of a large document asks about a few places of it."""

    __slots__ = ("_block_grow", "_blocks", "_chunks", "_grow", "_k", "_n", "orig_len", "text")

    def __init__(self, text: str, changed: frozenset[str], blocks: list[tuple[int, frozenset[str]]] | None = None) -> None:
        """`changed`: the characters of `text` that normalisation changes (`changed_chars`);
        `blocks`: `Normalized.blocks`, when normalisation counted them."""
        self.text = text
        self.orig_len = len(text)
        self._grow = _growth(changed)
        self._blocks: list[int] = [n for n, _ in blocks] if blocks is not None else []  # as far as asked
        # The changed characters of each block, when known: a plain block counts none.
        self._block_grow = [_growth(here) for _, here in blocks] if blocks is not None else None
        self._chunks: dict[int, list[int]] = {}  # block -> normalised length before each of its chunks
        self._k = 0 if blocks is None else len(text)  # where the next block starts
        self._n = 0  # normalised length of text[: self._k], while blocks are counted here

    def _grown(self, k: int, end: int, grow: list[tuple[str, int]] | None = None) -> int:
        """Normalised length of text[k:end] (`grow`: the changed characters that may be there)."""
        n, text = end - k, self.text
        for ch, g in self._grow if grow is None else grow:
            n += g * text.count(ch, k, end)
        return n

    def _extend(self, i: int) -> None:
        """Block checkpoints up to the first block that starts past normalised position i.
        Events sit anywhere in a document: the blocks after the last one asked about
        are never counted."""
        blocks, size, step = self._blocks, len(self.text), _CHUNK * _BLOCK
        k, n = self._k, self._n
        while k < size and (not blocks or blocks[-1] <= i):
            blocks.append(n)
            end = min(k + step, size)
            n += self._grown(k, end)
            k = end
        self._k, self._n = k, n

    def _chunk_of(self, i: int) -> tuple[int, int]:
        """(chunk, normalised length before it) of the last chunk that starts at or before
        normalised position i: the chunk that holds it."""
        b = bisect_right(self._blocks, i) - 1
        cum = self._chunks.get(b)
        if cum is None:
            cum = self._chunks[b] = [self._blocks[b]]
        # The block's chunks up to the first that starts past i (or to the block's end).
        k = (b * _BLOCK + len(cum)) * _CHUNK
        end = min((b + 1) * _BLOCK * _CHUNK, len(self.text))
        grow = self._block_grow[b] if self._block_grow is not None else None
        while k < end and cum[-1] <= i:
            cum.append(cum[-1] + self._grown(k - _CHUNK, k, grow))
            k += _CHUNK
        c = bisect_right(cum, i) - 1
        return b * _BLOCK + c, cum[c]

    def to_orig(self, i: int) -> int:
        """Original index of the character that produced normalised character i
        (the original length for i at the end)."""
        return self._to_orig((i,))[0]

    def _to_orig(self, qs: tuple[int, ...]) -> list[int]:
        """`to_orig` of ascending positions, walking a chunk once for all those in it
        (a span asks for its start, its last character and its end)."""
        if not self._grow:
            return list(qs)
        self._extend(qs[-1])
        text = self.text
        size = len(text)
        out: list[int] = []
        j = -1
        o = n = 0
        runs: Iterator[re.Match[str]] = iter(())
        m: re.Match[str] | None = None
        for i in qs:
            if i < 0 or not self._blocks:
                out.append(i)
                continue
            jj, at = self._chunk_of(i)
            if jj != j:  # a new chunk: walk it from its checkpoint
                j = jj
                o = j * _CHUNK
                n = at
                runs = _SPECIAL.finditer(text, o, min(o + _CHUNK, size))
                m = next(runs, None)
            # (o, n): the original and normalised positions before run m
            while True:
                if m is None:
                    out.append(o + (i - n))
                    break
                kept = m.start() - o
                if i < n + kept:
                    out.append(o + (i - n))
                    break
                n2, o2 = n + kept, m.start()
                inside = -1
                for ch in m.group():
                    rep = _EXPAND.get(ord(ch))
                    if rep is not None:
                        if i < n2 + len(rep):
                            inside = o2  # produced by this expansion: the run stays current
                            break
                        n2 += len(rep)
                    o2 += 1
                if inside >= 0:
                    out.append(inside)
                    break
                o, n = o2, n2
                m = next(runs, None)
        return out

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the normalised span [start, end).

        The end reaches up to the next kept character, so diacritics that
        follow the last letter belong to the evidence."""
        if end <= start:
            s = self.to_orig(start)
            return s, s
        s, last, e = self._to_orig((start, end - 1, end))
        return s, min(max(e, last + 1), self.orig_len)


_FULL: dict[int, str | None] = {**_ONE, **{ord(c): None for c in _DELETE}, **_EXPAND}


def _growth(changed: frozenset[str]) -> list[tuple[str, int]]:
    """(character, how much it grows the text: -1 deleted, +k expanded) of the changed
    characters that move offsets; empty: the identity."""
    return [(ch, len(_EXPAND.get(ord(ch), "")) - 1) for ch in sorted(changed) if ch in _DELETE or ord(ch) in _EXPAND]


class Normalized:
    """Normalised text; the offset map back to the original is built on first use.

    Most documents hold no event, so most never pay for the map."""

    __slots__ = ("_changed", "_map", "blocks", "original", "text")

    def __init__(
        self, original: str, text: str, changed: frozenset[str], blocks: list[tuple[int, frozenset[str]]] | None = None
    ) -> None:
        self.original = original
        self.text = text
        self._changed = changed
        # Of a long text: for each block of the original, the normalised length before
        # it and the characters normalisation changed in it.
        self.blocks = blocks
        self._map: OffsetMap | None = None

    @property
    def changed(self) -> frozenset[str]:
        """The characters of the original that normalisation changed."""
        return self._changed

    @property
    def map(self) -> OffsetMap:
        if self._map is None:
            self._map = OffsetMap(self.original, self._changed, self.blocks)
        return self._map


# Characters normalisation changes that are frequent in Arabic news: the common
# letter folds, harakat, tatweel and Arabic-Indic digits.  A diacritised article
# holds thousands of them, so their presence is asked of `str.__contains__` (a
# memchr-like scan each); the rest are rare and found by one regex scan.
_FREQUENT = tuple(
    sorted(
        {chr(c) for c in _FULL}
        & set("أإآىةؤئ\u0640" + "".join(chr(c) for c in range(0x064B, 0x0653)) + "".join(chr(c) for c in range(0x0660, 0x066A)))
    )
)
_RARE = re.compile(_char_class({chr(c) for c in _FULL} - set(_FREQUENT)))


def changed_chars(text: str) -> frozenset[str]:
    """The distinct characters of `text` that normalisation changes."""
    found = set(_RARE.findall(text))
    found.update(ch for ch in _FREQUENT if ch in text)
    return frozenset(found)


def normalize(text: str) -> Normalized:
    """Normalise `text` and keep the way back to the original offsets.

    Find which characters need changing (few in most news), then one
    `str.replace` each: about three times the speed of `str.translate` with a
    table this size, with the same output (no replacement produces a character
    another one would change)."""
    step = _CHUNK * _BLOCK
    if len(text) <= step:
        out = text
        changed = changed_chars(text)
        for ch in changed:
            out = out.replace(ch, _FULL[ord(ch)] or "")
        return Normalized(text, out, changed)
    # A long text a block at a time: a block replaces only the characters it holds
    # (a window of a large document mixes plain and diacritised articles), and the
    # offset map gets the normalised length of every block without counting it.
    parts: list[str] = []
    blocks: list[tuple[int, frozenset[str]]] = []
    found: set[str] = set()
    n = 0
    for k in range(0, len(text), step):
        piece = text[k : k + step]
        here = changed_chars(piece)
        for ch in here:
            piece = piece.replace(ch, _FULL[ord(ch)] or "")
        blocks.append((n, here))
        n += len(piece)
        parts.append(piece)
        found |= here
    return Normalized(text, "".join(parts), frozenset(found), blocks)


def normalize_term(s: str) -> str:
    """Normalise a pattern word or lexicon name: same function, single spaces."""
    return " ".join(normalize(s).text.split())


class Token(NamedTuple):
    start: int  # in the normalised document text
    end: int
    text: str


_NEW = tuple.__new__  # a NamedTuple built by tuple.__new__ skips the Python-level __new__ of its class
_TOKEN = re.compile(r"[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+|[a-z\u00c0-\u024f]+|[0-9]+(?:[.,][0-9]+)*")
# A sentence ends at ! ? ؟ or a line break, or at a period followed by space,
# end or a closing quote -- not inside 3.5 nor after a one-letter word (أ.ف.ب).
# Written so that every alternative of the first item starts with a literal:
# `re` then skips to the next candidate character in C (five times faster
# than a pattern that opens with a lookbehind), with the same matches.
_PERIOD = r"\.(?<!\s\S\.)(?=\s|$|[\"”»)])"
_SENT_END = re.compile(rf"(?:!|\?|؟|\n|{_PERIOD})(?:{_PERIOD}|[!?؟\n])*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of the normalised text."""
    return spans_between(_SENT_END, text)


def sentence_ends(text: str, pos: int = 0) -> Iterator[re.Match[str]]:
    """The sentence boundaries of the normalised text (from `pos`), one at a time: a
    sentence runs from one boundary's end to the next one's start (empty ones skipped)."""
    return _SENT_END.finditer(text, pos)


_SPAN_OF = re.Match.span


def spans_between(boundary: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """(start, end) of the non-empty stretches of `text` between matches of `boundary`."""
    bounds = list(map(_SPAN_OF, boundary.finditer(text)))
    starts = [0] + [e for _, e in bounds]
    ends = [s for s, _ in bounds] + [len(text)]
    return [(s, e) for s, e in zip(starts, ends, strict=True) if e > s]


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of text[start:end] with positions in `text`."""
    return [_NEW(Token, (m.start(), m.end(), m.group())) for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]


def windows(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive stretches of the ORIGINAL `text`, each at most
    `size` characters, that cover it; a large document is read one at a time.

    A stretch ends, in this order of preference, in its second half:
    - before a line break (the next one opens with it): its sentences are then
      exactly the document's, and nothing of the rule language spans a line break;
    - before a sentence end («.» «!» «؟» … as `sentence_spans` finds them): the same
      sentences again;
    - before a space: a "sentence" longer than half a stretch is cut in two there;
    - at `size` characters when the text has no space at all."""
    return [(a, b) for a, b, _ in cuts(text, size)]


def cuts(text: str, size: int) -> list[tuple[int, int, str]]:
    """`windows` with the kind of each window's end: "line", "sentence", "space",
    "hard", or "end" for the last."""
    out: list[tuple[int, int, str]] = []
    start, n = 0, len(text)
    while n - start > size:
        cut, kind = _cut(text, start + size // 2, start + size)
        out.append((start, cut, kind))
        start = cut
    out.append((start, n, "end"))
    return out


def _cut(text: str, lo: int, hi: int) -> tuple[int, str]:
    """Where a stretch ending in text[lo:hi] should end (lo < result <= hi), and why."""
    i = text.rfind("\n", lo + 1, hi)
    if i > lo:
        return i, "line"
    # The last sentence end, looked for in the last 2 Ki characters, then 16 Ki, then the
    # whole second half: a region is normalised to be searched, and most are short.
    start = hi
    while start > lo:
        start = max(lo, hi - 8 * (hi - start) if start < hi else hi - 2048)
        norm = normalize(text[start:hi])
        t = norm.text
        last = None
        for m in _SENT_END.finditer(t):
            # The boundary and the two characters after it lie inside, so its lookahead saw
            # what the document has; it does not open the region, whose start cannot look
            # behind; it is not «␣!.», whose second period the document judges by the space
            # before (a stretch opening at «!» would not see it); and no period ends the
            # stretch before it (a period at the very end would pass for a sentence end).
            a = m.start()
            if a >= 2 and m.end() + 2 <= len(t) and t[a - 1] != "." and not (t[a - 1].isspace() and t[a + 1 : a + 2] == "."):
                last = m
        if last is not None:
            return start + norm.map.to_orig(last.start()), "sentence"
    i = max(text.rfind(" ", lo + 1, hi), text.rfind("\t", lo + 1, hi))
    return (i, "space") if i > lo else (hi, "hard")
