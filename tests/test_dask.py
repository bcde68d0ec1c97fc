"""The Dask front end gives exactly the CLI's records, on a two-process local cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("dask.distributed")

import dask.bag as db  # noqa: E402

from sahel_events import on_dask  # noqa: E402
from sahel_events.on_dask import articles_bag, events_bag  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _lines(records: list[dict]) -> list[bytes]:  # type: ignore[type-arg]
    return sorted(orjson.dumps(r) for r in records)


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def cli_lines() -> list[bytes]:
    out = subprocess.run(
        [sys.executable, "-m", "sahel_events", "extract", str(SAMPLES)],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env={**__import__("os").environ, "SAHEL_EVENTS_NO_CACHE": "1"},
    ).stdout
    lines = sorted(ln for ln in out.splitlines() if ln)
    assert lines
    return [orjson.dumps(orjson.loads(ln)) for ln in lines]


def test_paths_on_cluster_equal_cli(client, cli_lines, rules) -> None:  # type: ignore[no-untyped-def]
    paths = sorted(SAMPLES.glob("*.txt"))
    bag = db.from_sequence(paths, npartitions=4)
    events = events_bag(bag, rules=rules, base=SAMPLES)
    keys = [k for k in events.__dask_graph__() if str(k).startswith("sahel-rules-")]
    assert keys == [f"sahel-rules-{rules.digest}"]  # the rules are one piece of data in the graph
    got = _lines(events.compute())
    assert sorted(got) == sorted(cli_lines)
    # Each worker built its Extractor once, and only from that one pack.
    built = client.run(lambda: sorted(on_dask._EXTRACTORS))
    assert all(v in ([], [rules.digest]) for v in built.values())
    assert any(v == [rules.digest] for v in built.values())


def test_records_and_texts(client, extractor) -> None:  # type: ignore[no-untyped-def]
    from sahel_events import DocMeta

    paths = sorted(SAMPLES.glob("*.txt"))[:6]
    recs = [{"id": p.stem, "text": p.read_text(encoding="utf-8"), "published": "2025-11-05", "source": "T"} for p in paths]
    want = _lines(
        [
            e.to_record()
            for r in recs
            for e in extractor.extract(r["text"], DocMeta(doc_id=r["id"], published=r["published"], source=r["source"]))
        ]
    )
    assert want
    assert _lines(events_bag(db.from_sequence(recs, npartitions=2)).compute()) == want
    # Plain strings: ids are the text hash, as for standard input.
    texts = [r["text"] for r in recs]
    want2 = _lines([e.to_record() for t in texts for e in extractor.extract(t)])
    assert _lines(events_bag(db.from_sequence(texts, npartitions=2)).compute()) == want2


def test_articles_bag_glob(client, cli_lines) -> None:  # type: ignore[no-untyped-def]
    bag = articles_bag(str(SAMPLES / "*.txt"))
    got = _lines(events_bag(bag, base=SAMPLES).compute())
    assert got == sorted(cli_lines)


def test_to_dataframe(client, rules) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pandas")
    pytest.importorskip("dask.dataframe")
    paths = sorted(SAMPLES.glob("*.txt"))[:4]
    df = on_dask.to_dataframe(events_bag(db.from_sequence(paths, npartitions=2), rules=rules), rules=rules).compute()
    assert len(df) > 0 and "rule_id" in df.columns and "evidence_text" in df.columns
