"""The HTML report: what an analyst sees in it, that it fetches nothing, and that record values stay text.

The browser tests open the page in headless Chromium (Debian's `chromium`; .ci/run installs
it) behind a proxy on 127.0.0.1 that records every request and answers none, so nothing
leaves the machine and any request the page makes is seen.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sahel_events import Extractor
from sahel_events.inputs import Doc, iter_inputs
from sahel_events.report import render_report
from sahel_events.report_svg import outlines

from .conftest import ROOT, SAMPLES
from .test_cli import run


# -- helpers -------------------------------------------------------------------------------
class Page(HTMLParser):
    """Every element with its attributes, and the text inside each element of interest."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag not in ("meta", "br", "wbr", "col", "line", "rect", "circle", "path"):
            self.stack.append((tag, a))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack[-1][0] != tag:
            self.stack.pop()
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        top = self.stack[-1][0] if self.stack else ""
        if top == "script":
            self.scripts.append(data)
        elif top == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def all(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and (cls is None or cls in a.get("class", "").split())]


def sample_docs() -> list[Doc]:
    return [d for d in iter_inputs([str(SAMPLES)]) if isinstance(d, Doc)]


@pytest.fixture(scope="module")
def samples(extractor: Extractor) -> tuple[list[dict[str, Any]], dict[str, str]]:
    docs = sample_docs()
    recs = [e.to_record() for d in docs for e in extractor.extract(d.text, d.meta)]
    return recs, {d.meta.doc_id: d.text for d in docs}


def record(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": "e1",
        "doc_id": "a1",
        "family": "blockade",
        "event_date": "2025-05-14",
        "time_precision": 1,
        "event_type": "Strategic developments",
        "sub_event_type": "Other",
        "actor1": "JNIM: Group for Support of Islam and Muslims",
        "actor2": None,
        "country": "Mali",
        "iso": 466,
        "location": "Nioro du Sahel",
        "admin1": "Kayes",
        "latitude": 15.2307,
        "longitude": -9.5936,
        "geo_precision": 1,
        "notes": "JNIM imposed a blockade on Nioro du Sahel.",
        "evidence": {"text": "حصارا", "start": 0, "end": 5},
        "mentions": [{"start": 0, "end": 5, "text": "حصارا"}],
        "rule": {"id": "blockade.siege", "file": "blockade.toml", "version": "abc"},
        "confidence": 0.8,
        "tags": [],
    }
    base.update(over)
    return base


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src="http://example.com/x.png" onerror="alert(2)">',
    "'><svg onload=alert(3)>",
    "</style><style>body{background:url(http://example.com/y)}</style>",
    "</textarea></title><iframe src=//example.com></iframe>",
    "javascript:alert(4)",
    "&lt;b&gt; &amp; \u202e reversed",
]


TEXT_FIELDS = ("event_id", "doc_id", "family", "sub_event_type", "event_type", "actor1", "actor2", "assoc_actor_1")
TEXT_FIELDS += ("country", "location", "admin1", "notes", "plover")


def hostile_records() -> list[dict[str, Any]]:
    """A hostile value in every field the page shows (and in some numeric ones)."""
    return [
        record(
            **dict.fromkeys(TEXT_FIELDS, h),
            event_date=h if i % 2 else "2025-05-14",
            latitude=h if i == 3 else 15.0 + i / 10,
            evidence={"text": h, "start": 0, "end": len(h)},
            mentions=[{"start": 0, "end": len(h), "text": h}, {"start": "x", "end": None, "text": h, "doc_id": h}],
            rule={"id": h, "version": h},
            tags=[h],
        )
        for i, h in enumerate(HOSTILE)
    ]


# -- the page's content (no browser needed) ------------------------------------------------
def test_one_row_per_event_and_one_point_per_located_event(samples: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    recs, texts = samples
    page = Page(render_report(recs, texts))
    rows = [a for a in page.all("tr") if a.get("id", "").startswith("e")]
    assert len(rows) == len(recs) > 20
    located = sum(r["latitude"] is not None for r in recs)
    assert located > 20
    assert len(page.all("circle", "event")) == located
    # every located event's point links to its row
    assert sorted(int(a["href"][2:]) for a in page.all("a") if a.get("href", "").startswith("#e")) == sorted(
        i for i, r in enumerate(recs, 1) if r["latitude"] is not None
    )


def test_counts_per_family_and_country_and_undated_counted_apart(samples: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    recs, _ = samples
    html = render_report(recs)
    fam_table = html[html.index('id="by-family"') : html.index("</table>", html.index('id="by-family"'))]
    for fam in ("blockade", "advance", "diplomatic"):
        n = sum(r["family"] == fam for r in recs)
        assert re.search(rf"<bdi>{fam}</bdi></th><td class=\"num\">{n}</td>", fam_table), fam
    country_table = html[html.index('id="by-country"') : html.index("</table>", html.index('id="by-country"'))]
    assert re.search(r"<bdi>Mali</bdi></th><td class=\"num\">(\d+)</td>", country_table).group(1) == str(  # type: ignore[union-attr]
        sum(r["country"] == "Mali" for r in recs)
    )
    undated = sum(r["event_date"] is None for r in recs)
    assert undated > 0
    assert f"{undated} events without a date, not drawn" in html
    # the bars of the timeline add up to the dated events, each at the Monday of its week
    titles = re.findall(r'<rect class="bar"[^>]*><title>week of (\d{4}-\d\d-\d\d): (\d+) ', html)
    total = sum(int(n) for _, n in titles)
    assert total == len(recs) - undated
    assert all(dt.date.fromisoformat(w).weekday() == 0 for w, _ in titles)


def test_evidence_in_its_sentence_with_the_trigger_highlighted() -> None:
    text = "خبر أول عن الطقس. وفرض المسلحون حصارا خانقا على مدينة نيورو منذ أسابيع. وخبر ثالث."
    start = text.index("حصارا")
    rec = record(evidence={"text": "حصارا", "start": start, "end": start + 5}, mentions=[{"start": start, "end": start + 5, "text": "حصارا"}])
    with_text = render_report([rec], {"a1": text})
    assert 'وفرض المسلحون <mark class="ev">حصارا</mark> خانقا على مدينة نيورو منذ أسابيع.' in with_text
    assert "خبر أول" not in with_text and "وخبر ثالث" not in with_text
    alone = render_report([rec])
    assert '<p class="ar" lang="ar" dir="rtl"><mark class="ev">حصارا</mark></p>' in alone
    # another mention, in another sentence, is shown in its own sentence; one in the same sentence is marked in it
    second = text.index("وخبر")
    rec2 = record(
        evidence=rec["evidence"],
        mentions=rec["mentions"] + [{"start": second, "end": second + 4, "text": "وخبر"}, {"start": 0, "end": 3, "text": "خبر"}],
    )
    near = start + len("حصارا خانقا على ")
    rec3 = record(evidence=rec["evidence"], mentions=rec["mentions"] + [{"start": near, "end": near + 5, "text": "مدينة"}])
    both = render_report([rec2, rec3], {"a1": text})
    assert '2 more mentions:</div><p class="ar more" lang="ar" dir="rtl"><mark class="mention">وخبر</mark> ثالث.</p>' in both
    assert '<p class="ar more" lang="ar" dir="rtl"><mark class="mention">خبر</mark> أول عن الطقس.</p>' in both
    assert 'خانقا على <mark class="mention">مدينة</mark> نيورو' in both and "1 more mention, in the sentence above" in both
    # a text that does not hold the evidence at its offsets is not this record's text: the evidence alone
    moved = render_report([rec], {"a1": "كلام آخر " + text})
    assert '<p class="ar" lang="ar" dir="rtl"><mark class="ev">حصارا</mark></p>' in moved


def test_arabic_is_right_to_left_and_english_values_are_isolated(samples: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    recs, texts = samples
    page = Page(render_report(recs, texts))
    assert page.all("html")[0] == {"lang": "en", "dir": "ltr"}
    ar = page.all("p", "ar")
    assert len([a for a in ar if "more" not in a["class"]]) == len(recs)  # each evidence; other mentions too
    assert all(a["lang"] == "ar" and a["dir"] == "rtl" for a in ar)
    assert all(a["lang"] == "en" and a["dir"] == "ltr" for a in page.all("p", "note"))
    assert len(page.all("bdi")) > 4 * len(recs)  # actors, places, family, article, rule: each isolated


def test_the_page_names_no_external_resource(samples: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    recs, texts = samples
    html = render_report(recs, texts)
    page = Page(html)
    for tag, attrs in page.elements:
        for k, v in attrs.items():
            if k in ("href", "src", "xlink:href", "action", "formaction", "poster", "data", "background", "srcset"):
                assert v.startswith("#"), (tag, k, v)
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    assert len(page.scripts) == 1 and len(page.styles) == 1
    css = page.styles[0]
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    csp = next(a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none';")

    def sha(s: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"

    assert f"script-src {sha(page.scripts[0])}" in csp and f"style-src {sha(css)}" in csp


def test_hostile_values_stay_text() -> None:
    recs = hostile_records()
    html = render_report(recs, {h: h for h in HOSTILE}, title="<b>t</b>")
    page = Page(html)
    benign = Page(render_report([record(event_id=str(i), latitude="x" if i == 3 else 15.0 + i / 10) for i in range(len(recs))]))
    assert len(page.scripts) == 1 and len(page.styles) == 1
    assert page.scripts == benign.scripts and page.styles == benign.styles
    for tag in ("img", "iframe", "textarea", "b", "a"):
        assert len(page.all(tag)) == len(benign.all(tag)), tag
    assert not any(k.startswith("on") for _, a in page.elements for k in a)
    links = [v for _, a in page.elements for k, v in a.items() if k in ("href", "src", "action", "formaction", "xlink:href")]
    assert links and all(re.fullmatch(r"#e\d+", v) for v in links), links  # only the map's links to its rows
    shown = "".join(page.text)
    for h in HOSTILE:
        assert h in shown, h  # shown as the text it is
    assert len([a for a in page.all("tr") if a.get("id", "").startswith("e")]) == len(recs)


def test_bad_types_do_not_break_the_page() -> None:
    recs = [
        record(latitude="12", longitude=None),
        record(latitude=float("nan"), longitude=3.0),
        record(latitude=True, longitude=3.0),
        record(latitude=95.0, longitude=3.0),
        record(mentions="many", evidence=None, rule=None, tags="x", event_date="2025-02-30", time_precision="1"),
        record(event_date=20250514, iso="466", fatalities=-1.5, confidence="high"),
    ]
    page = Page(render_report(recs))
    assert len([a for a in page.all("tr") if a.get("id", "").startswith("e")]) == len(recs)
    assert len(page.all("circle", "event")) == 2  # the last two have usable coordinates
    assert "2 events without a date, not drawn: 2 blockade" in "".join(page.text)


def test_same_records_same_bytes_and_no_clock(samples: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    recs, texts = samples
    a = render_report(recs, texts)
    assert a == render_report(json.loads(json.dumps(recs)), dict(texts))
    assert dt.date.today().isoformat() not in a


def test_events_outside_the_region_get_a_world_inset() -> None:
    recs = [record(), record(event_id="e2", location="Moscow", country="Russia", latitude=55.75, longitude=37.62)]
    page = Page(render_report(recs))
    assert len(page.all("circle", "event")) == 2
    assert any(a.get("id") == "map-world" for a in page.all("svg"))
    assert "Outside the region (1 place): " in "".join(page.text)
    assert not any(a.get("id") == "map-world" for a in Page(render_report([record()])).all("svg"))


def test_outlines_are_shipped_and_credited() -> None:
    data = outlines()
    names = {f["name"] for f in data["region"]}
    assert {"Mali", "Niger", "Burkina Faso", "Chad", "Mauritania", "Benin", "Nigeria", "Algeria"} <= names
    mali = next(f for f in data["region"] if f["name"] == "Mali")
    assert mali["iso"] == 466
    assert "Natural Earth" in data["source"]
    credits = (ROOT / "rules" / "lexicon" / "CREDITS.md").read_text(encoding="utf-8")
    assert "Natural Earth" in credits and "outlines.json" in credits
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["sahel_events"]
    assert any(fnmatch.fnmatch("data/outlines.json", g) for g in globs)  # in the wheel too


# -- the command ------------------------------------------------------------------------------
def test_report_command_writes_a_file_or_stdout(tmp_path: Path) -> None:
    article = tmp_path / "art" / "nioro.txt"
    article.parent.mkdir()
    article.write_text("وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع. وقال مصدر محلي إن الطريق مغلق.\n", encoding="utf-8")
    ex = run("extract", "art/nioro.txt", "--published", "2025-11-05", cwd=tmp_path)
    assert ex.returncode == 0, ex.stderr
    (tmp_path / "ev.jsonl").write_bytes(ex.stdout)
    r = run("report", "ev.jsonl", "-o", "out.html", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    # the doc_id is a relative path to the article: the evidence is shown in its sentence
    assert '<mark class="ev">' in html and "مدينة نيورو منذ أسابيع." in html
    assert "الطريق مغلق" not in html
    r2 = run("report", "-", "-o", "-", stdin=ex.stdout, cwd=tmp_path)
    assert r2.returncode == 0 and r2.stdout.decode() == html  # the same page on standard output
    assert not (tmp_path / "-").exists()


def test_report_command_texts_folder_and_bad_lines(tmp_path: Path) -> None:
    ex = run("extract", str(SAMPLES))
    (tmp_path / "ev.jsonl").write_bytes(ex.stdout)
    r = run("report", str(tmp_path / "ev.jsonl"), "--texts", str(SAMPLES), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count('<mark class="ev">') >= 77
    (tmp_path / "bad.jsonl").write_text('{"event_id": "x", "doc_id": "d", "family": "blockade"}\nnot json\n', encoding="utf-8")
    bad = run("report", str(tmp_path / "bad.jsonl"), "-o", str(tmp_path / "b.html"))
    assert bad.returncode == 2 and f"{tmp_path / 'bad.jsonl'}:2: not JSON" in bad.stderr.decode()
    assert not (tmp_path / "b.html").exists()
    some = run("report", str(tmp_path / "ev.jsonl"), str(tmp_path / "bad.jsonl"), "-o", str(tmp_path / "s.html"))
    assert some.returncode == 1 and (tmp_path / "s.html").exists()


# -- in a browser ---------------------------------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,PreconnectToSearch",
    "--dns-prefetch-disable",
    "--no-pings",
    "--hide-scrollbars",
]
# Hosts Chromium itself calls at start-up whatever the page (sign-in, search preconnect); the
# proxy answers none of them. Any other host would be the page's.
BROWSER_OWN = re.compile(r"^(accounts|www|clients\d*)\.google\.com$")


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("no chromium here: `apt-get install chromium` to run the browser tests (.ci/run installs it)")


class Proxy:
    """An HTTP proxy on 127.0.0.1 that answers nothing and writes down every request line."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(300).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    self.requests.append("?")

    def page_requests(self) -> list[str]:
        hosts = []
        for line in self.requests:
            m = re.match(r"(?:CONNECT|GET|POST|HEAD) (?:https?://)?([^/:\s]+)", line)
            if not (m and BROWSER_OWN.match(m.group(1))):
                hosts.append(line)
        return hosts

    def close(self) -> None:
        self.sock.close()


def browse(exe: str, url: str, tmp: Path, *extra: str) -> tuple[str, Proxy]:
    proxy = Proxy()
    try:
        r = subprocess.run(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", f"--proxy-server=http://127.0.0.1:{proxy.port}", *extra, url],
            capture_output=True,
            timeout=120,
        )
    finally:
        proxy.close()
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-2000:]
    return r.stdout.decode("utf-8"), proxy


def test_the_proxy_sees_a_page_that_fetches(tmp_path: Path) -> None:
    """The control: a page with an external image is seen fetching it (so silence below means something)."""
    exe = chromium()
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.com/x.png"></body></html>', encoding="utf-8")
    _, proxy = browse(exe, page.as_uri(), tmp_path, "--virtual-time-budget=3000", "--dump-dom")
    assert any("example.com" in r for r in proxy.page_requests()), proxy.requests


def test_report_in_chromium(samples: tuple[list[dict[str, Any]], dict[str, str]], tmp_path: Path) -> None:
    exe = chromium()
    recs, texts = samples
    path = tmp_path / "report.html"
    path.write_text(render_report(recs, texts), encoding="utf-8")
    dom, proxy = browse(exe, path.as_uri() + "#sort=-date", tmp_path, "--virtual-time-budget=3000", "--dump-dom")
    assert proxy.page_requests() == []
    page = Page(dom)
    root = page.all("html")[0]
    assert root.get("data-ready") == "1"  # the script ran (its hash matched the page's CSP)
    assert "data-blocked" not in root  # and nothing the CSP forbids was attempted
    rows = [a for a in page.all("tr") if a.get("id", "").startswith("e")]
    assert len(rows) == len(recs)
    assert len(page.all("circle", "event")) == sum(r["latitude"] is not None for r in recs)
    # #sort=-date: newest first, undated last
    dates = [r["event_date"] for r in (recs[int(a["data-n"]) - 1] for a in rows)]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[len(dated) :] == [None] * (len(dates) - len(dated))
    assert any(a.get("aria-sort") == "descending" and a.get("data-col") == "date" for a in page.all("th"))

    shot = tmp_path / "report.png"
    _, proxy = browse(exe, path.as_uri(), tmp_path, "--window-size=1280,1600", f"--screenshot={shot}")
    assert proxy.page_requests() == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_hostile_report_in_chromium(tmp_path: Path) -> None:
    exe = chromium()
    recs = hostile_records()
    path = tmp_path / "hostile.html"
    path.write_text(render_report(recs, {h: h for h in HOSTILE}), encoding="utf-8")
    dom, proxy = browse(exe, path.as_uri(), tmp_path, "--virtual-time-budget=3000", "--dump-dom")
    assert proxy.page_requests() == []
    page = Page(dom)
    assert page.all("html")[0].get("data-ready") == "1" and "data-blocked" not in page.all("html")[0]
    assert not page.all("img") and not page.all("iframe") and len(page.all("script")) == 1
    assert len([a for a in page.all("tr") if a.get("id", "").startswith("e")]) == len(recs)
