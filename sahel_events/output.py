"""Writing records: JSON lines, CSV (ACLED's columns first), GeoJSON, and a table.

Every writer is a small class with three pure methods: `header()`, `record(rec)`
and `footer()`, each returning the bytes to write, so a run can stream records
through it and write them wherever it likes (a temporary file renamed at the
end, a pipe).  JSON lines, CSV and GeoJSON stream; the table holds its rows
until the footer (it is for reading at a terminal).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any

import orjson

from .events import Event

# ACLED's export columns, in ACLED's order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
# This tool's own fields, flattened.
OWN_COLUMNS: tuple[str, ...] = (
    "event_id",
    "doc_id",
    "family",
    "evidence_text",
    "evidence_start",
    "evidence_end",
    "mentions",
    "rule_id",
    "confidence",
    "plover",
)
CSV_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + OWN_COLUMNS
FORMATS: tuple[str, ...] = ("jsonl", "csv", "geojson", "table")


def jsonl_bytes(events: Iterable[Event]) -> bytes:
    return b"".join(orjson.dumps(e.to_record(), option=orjson.OPT_APPEND_NEWLINE) for e in events)


def write_jsonl(events: Iterable[Event], out: IO[bytes]) -> int:
    n = 0
    for e in events:
        out.write(orjson.dumps(e.to_record(), option=orjson.OPT_APPEND_NEWLINE))
        n += 1
    return n


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def csv_row(rec: dict[str, Any]) -> list[str]:
    """One record as CSV cells, in CSV_COLUMNS order."""
    ev = rec.get("evidence") or {}
    rule = rec.get("rule") or {}
    acled = {**rec, "event_id_cnty": rec.get("event_id"), "tags": "; ".join(rec.get("tags") or ()), "timestamp": None}
    own = {
        "event_id": rec.get("event_id"),
        "doc_id": rec.get("doc_id"),
        "family": rec.get("family"),
        "evidence_text": ev.get("text"),
        "evidence_start": ev.get("start"),
        "evidence_end": ev.get("end"),
        "mentions": orjson.dumps(rec.get("mentions") or []).decode("utf-8"),
        "rule_id": rule.get("id"),
        "confidence": rec.get("confidence"),
        "plover": rec.get("plover"),
    }
    return [_cell(acled.get(c)) for c in ACLED_COLUMNS] + [_cell(own[c]) for c in OWN_COLUMNS]


class RecordWriter:
    """JSON lines: one record per line, Arabic unescaped, fields in schema order."""

    name = "jsonl"
    streams_jsonl = True  # records arriving as JSON lines may be written as they are

    def header(self) -> bytes:
        return b""

    def record(self, rec: dict[str, Any]) -> bytes:
        return orjson.dumps(rec, option=orjson.OPT_APPEND_NEWLINE)

    def footer(self) -> bytes:
        return b""

    def note(self) -> str | None:
        """Something the user should know once the output is complete (e.g. records left out)."""
        return None


class CsvWriter(RecordWriter):
    """CSV, UTF-8 without BOM, RFC 4180 quoting: ACLED's 31 columns, then this tool's."""

    name = "csv"
    streams_jsonl = False

    def __init__(self) -> None:
        self._buf = io.StringIO()
        import csv  # only CSV runs need it

        self._w = csv.writer(self._buf, lineterminator="\r\n")

    def _take(self, row: Iterable[str]) -> bytes:
        self._w.writerow(row)
        s = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return s.encode("utf-8")

    def header(self) -> bytes:
        return self._take(CSV_COLUMNS)

    def record(self, rec: dict[str, Any]) -> bytes:
        return self._take(csv_row(rec))


class GeoJsonWriter(RecordWriter):
    """A GeoJSON FeatureCollection of Point features [longitude, latitude]; properties = the record.

    Records without coordinates are left out and counted in `without_coordinates`."""

    name = "geojson"
    streams_jsonl = False

    def __init__(self) -> None:
        self.features = 0
        self.without_coordinates = 0

    def header(self) -> bytes:
        return b'{"type":"FeatureCollection","features":[\n'

    def record(self, rec: dict[str, Any]) -> bytes:
        lat, lon = rec.get("latitude"), rec.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            self.without_coordinates += 1
            return b""
        feature = {
            "type": "Feature",
            "id": rec.get("event_id"),
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": rec,
        }
        sep = b",\n" if self.features else b""
        self.features += 1
        return sep + orjson.dumps(feature)

    def footer(self) -> bytes:
        return b"\n]}\n" if self.features else b"]}\n"

    def note(self) -> str | None:
        if self.without_coordinates:
            n = self.without_coordinates
            return f"geojson: {n} event{'s' if n > 1 else ''} without coordinates left out"
        return None


TABLE_COLUMNS = (
    ("date", "event_date"),
    ("family", "family"),
    ("type", "sub_event_type"),
    ("actor1", "actor1"),
    ("actor2", "actor2"),
    ("location", "location"),
    ("country", "country"),
    ("deaths", "fatalities"),
    ("doc", "doc_id"),
    ("evidence", "evidence"),
)


class TableWriter(RecordWriter):
    """A rich table for reading at a terminal (rows are held until the footer)."""

    name = "table"
    streams_jsonl = False

    def __init__(self, width: int | None = None, color: bool = False) -> None:
        self.width = width
        self.color = color
        self.rows: list[list[str]] = []

    def record(self, rec: dict[str, Any]) -> bytes:
        row = []
        for _, key in TABLE_COLUMNS:
            v = rec.get(key)
            if key == "evidence":
                v = (v or {}).get("text")
            if key == "sub_event_type" and rec.get("plover"):
                v = f"{v} ({rec['plover']})"
            row.append(_cell(v))
        self.rows.append(row)
        return b""

    def footer(self) -> bytes:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False, header_style="bold", caption=f"{len(self.rows)} events")
        for title, _ in TABLE_COLUMNS:
            table.add_column(title, overflow="fold", no_wrap=title in ("date", "family"))
        for row in self.rows:
            table.add_row(*row)
        buf = io.StringIO()
        console = Console(file=buf, width=self.width or 160, force_terminal=self.color, no_color=not self.color, highlight=False)
        console.print(table)
        return buf.getvalue().encode("utf-8")


def make_writer(fmt: str, width: int | None = None, color: bool = False) -> RecordWriter:
    """The writer for a --format name (jsonl, csv, geojson, table)."""
    if fmt == "jsonl":
        return RecordWriter()
    if fmt == "csv":
        return CsvWriter()
    if fmt == "geojson":
        return GeoJsonWriter()
    if fmt == "table":
        return TableWriter(width, color)
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
