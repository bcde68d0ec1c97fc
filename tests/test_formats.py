"""Output formats: JSON lines, CSV with ACLED's columns first, GeoJSON, table."""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest

from sahel_events import DocMeta, Extractor
from sahel_events.output import ACLED_COLUMNS, CSV_COLUMNS, OWN_COLUMNS, CsvWriter, GeoJsonWriter, TableWriter, make_writer

from .conftest import SAMPLES
from .test_cli import records, run

ACLED_EXPORT = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"]
OURS = ["event_id", "doc_id", "family", "evidence_text", "evidence_start", "evidence_end", "mentions", "rule_id", "confidence", "plover"]


@pytest.fixture(scope="module")
def sample_records(extractor: Extractor) -> list[dict]:
    out = []
    for p in sorted(SAMPLES.glob("*.txt")):
        out += [e.to_record() for e in extractor.extract(p.read_text(encoding="utf-8"), DocMeta(doc_id=p.stem))]
    assert len(out) > 20
    return out


def test_column_lists() -> None:
    assert list(ACLED_COLUMNS) == ACLED_EXPORT and len(ACLED_COLUMNS) == 31
    assert list(OWN_COLUMNS) == OURS
    assert CSV_COLUMNS == ACLED_COLUMNS + OWN_COLUMNS


def test_csv_writer_reads_back_with_the_csv_module(sample_records: list[dict]) -> None:
    w = CsvWriter()
    data = w.header() + b"".join(w.record(r) for r in sample_records) + w.footer()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ACLED_EXPORT + OURS
    assert len(rows) == len(sample_records) + 1
    for row, rec in zip(rows[1:], sample_records, strict=True):
        d = dict(zip(rows[0], row, strict=True))
        assert d["event_id_cnty"] == d["event_id"] == rec["event_id"]
        assert d["tags"] == "; ".join(rec["tags"])
        assert d["timestamp"] == ""
        assert d["evidence_text"] == rec["evidence"]["text"]
        assert int(d["evidence_start"]) == rec["evidence"]["start"]
        assert json.loads(d["mentions"]) == rec["mentions"]
        assert d["rule_id"] == rec["rule"]["id"]
        assert d["fatalities"] == ("" if rec["fatalities"] is None else str(rec["fatalities"]))
        assert d["notes"] == rec["notes"]  # commas, quotes and Arabic survive quoting
        if rec["latitude"] is not None:
            assert float(d["latitude"]) == rec["latitude"]


def test_geojson_writer_structure(sample_records: list[dict]) -> None:
    w = GeoJsonWriter()
    data = w.header() + b"".join(w.record(r) for r in sample_records) + w.footer()
    fc = json.loads(data)
    assert fc["type"] == "FeatureCollection"
    located = [r for r in sample_records if r["latitude"] is not None and r["longitude"] is not None]
    assert len(fc["features"]) == len(located) > 0
    assert w.without_coordinates == len(sample_records) - len(located)
    for f, rec in zip(fc["features"], located, strict=True):
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert isinstance(lon, float | int) and isinstance(lat, float | int)
        assert (lon, lat) == (rec["longitude"], rec["latitude"])
        assert f["properties"] == rec
    empty = GeoJsonWriter()
    assert json.loads(empty.header() + empty.footer()) == {"type": "FeatureCollection", "features": []}


def test_table_writer_lists_every_event(sample_records: list[dict]) -> None:
    w = TableWriter(width=200)
    assert all(w.record(r) == b"" for r in sample_records)
    text = w.footer().decode("utf-8")
    assert "family" in text and "location" in text and f"{len(sample_records)} events" in text
    assert "\x1b[" not in text  # no colour codes unless asked


def test_make_writer_refuses_unknown_formats() -> None:
    assert make_writer("jsonl").record({"a": "ب"}) == orjson.dumps({"a": "ب"}) + b"\n"
    with pytest.raises(ValueError):
        make_writer("xml")


def test_cli_formats_agree_with_json_lines() -> None:
    files = [str(p) for p in sorted(SAMPLES.glob("*.txt"))]
    jl = run("extract", "-q", *files)
    assert jl.returncode == 0
    recs = records(jl.stdout)
    c = run("extract", "-q", "--format", "csv", *files)
    assert c.returncode == 0, c.stderr
    rows = list(csv.DictReader(io.StringIO(c.stdout.decode("utf-8"), newline="")))
    assert [r["event_id_cnty"] for r in rows] == [r["event_id"] for r in recs]
    g = run("extract", "--format", "geojson", "-j", "2", *files)
    assert g.returncode == 0, g.stderr
    fc = json.loads(g.stdout)
    missing = sum(1 for r in recs if r["latitude"] is None)
    assert len(fc["features"]) == len(recs) - missing
    if missing:
        assert f"{missing} event" in g.stderr.decode() and "without coordinates" in g.stderr.decode()
    t = run("extract", "-q", "--format", "table", files[0])
    assert t.returncode == 0 and b"evidence" in t.stdout
