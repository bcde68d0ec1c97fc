"""`git diff` on article files shows event changes, with sahel-events brief as a textconv driver."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

ARTICLE = (
    "وفرض مسلحو جماعة نصرة الإسلام حصارا على مدينة نيورو منذ أسابيع.\n"
    "وأفادت مصادر محلية بأن الجيش المالي انسحب من بلدة ليري.\n"
    "وسيطر مسلحو جبهة تحرير أزواد على بلدة أنيفيس.\n"
)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_diff_shows_only_the_changed_event(tmp_path: Path) -> None:
    repo = tmp_path / "articles"
    repo.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),  # no user or system git configuration
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C.UTF-8",
    }

    def git(*args: str) -> str:
        r = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True)
        assert r.returncode == 0, r.stderr.decode()
        return r.stdout.decode("utf-8")

    git("init", "-q", ".")
    git("config", "user.name", "Test")
    git("config", "user.email", "test@example.org")
    git("config", "diff.sahel.textconv", f"{shlex.quote(sys.executable)} -m sahel_events brief")
    (repo / ".gitattributes").write_text("*.txt diff=sahel\n", encoding="utf-8")
    (repo / "mali.txt").write_text(ARTICLE, encoding="utf-8")
    git("add", ".")
    git("commit", "-q", "-m", "article")
    (repo / "mali.txt").write_text(ARTICLE.replace("مدينة نيورو", "مدينة ديما"), encoding="utf-8")

    out = git("diff", "--no-color")
    changed = [x for x in out.splitlines() if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    assert len(changed) == 2, out
    assert changed[0].startswith("-blockade") and "Nioro du Sahel" in changed[0]
    assert changed[1].startswith("+blockade") and "Diema" in changed[1]
    context = [x for x in out.splitlines() if x.startswith(" ")]
    assert any("Lere" in x for x in context) and any("Anefis" in x for x in context)
    assert "حصارا" in out and "ديما" not in out  # event lines, not the article's lines

    git("commit", "-q", "-am", "place")
    log = git("log", "-p", "--no-color")
    assert "+blockade" in log and "Diema" in log
