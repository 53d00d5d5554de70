"""Shared helpers of the hostile suite: the installed CLI run as a user runs it, and small good inputs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"


def cli(
    *arguments: str, timeout: float = 120, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`counterclaim ARGUMENTS` in its own process; output captured (not a terminal, so no colours)."""
    command = [*prefix, str(Path(sys.executable).parent / "counterclaim"), *arguments]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout, env=env)


def failures(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The 'failed NAME: reason' lines an ingest printed, whitespace of wrapping undone."""
    return [line for line in result.stdout.splitlines() if line.startswith("failed ")]


@pytest.fixture
def good_text(tmp_path: Path) -> Path:
    """A plain-text article that ingests cleanly."""
    path = tmp_path / "good.txt"
    path.write_bytes((FIXTURES / "plain_article.txt").read_bytes())
    return path
