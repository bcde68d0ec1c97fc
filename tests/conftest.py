"""Shared fixtures: the compiled default rules (compiled once per test run)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sahel_events import Extractor, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"
SEED = SHARED / "corpus" / "seed"


@pytest.fixture(scope="session")
def rules():  # type: ignore[no-untyped-def]
    return load_rules()


@pytest.fixture(scope="session")
def extractor(rules) -> Extractor:  # type: ignore[no-untyped-def]
    return Extractor(rules)


@pytest.fixture(scope="session")
def scorer() -> ModuleType:
    """The shared scorer (../shared/tools/score.py), imported as a module."""
    path = SHARED / "tools" / "score.py"
    if not path.exists():
        pytest.skip("../shared is not beside this checkout")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["shared_score"] = mod
    spec.loader.exec_module(mod)
    return mod
