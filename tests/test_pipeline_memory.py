"""Peak memory per stage (issue 15): `analyze(stage_memory=True)` resets the process's peak before each
stage, so a stage's figure is its own and not whatever the process held before; off by default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import story_articles
from counterclaim.pipeline import Pipeline, peak_rss_mib
from counterclaim.stages import Models
from counterclaim.store import Store

STORY = Path(__file__).parent / "fixtures" / "claims" / "strike_story.json"
SPIKE_MIB = 600


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


def test_each_stage_reports_its_own_peak_not_the_process_peak(sqlite_store: Store, models: Models) -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        pytest.skip("this kernel does not let a process reset its peak memory")
    for article in story_articles(STORY).values():
        sqlite_store.add_article(article)
    pipeline = Pipeline(sqlite_store, models=models)
    models.encoder, models.stance, models.extractor  # noqa: B018 - loaded before the spike
    # A spike far above anything the stages hold on this small story, freed before they run.
    spike = np.ones(SPIKE_MIB * (1 << 20) // 8)
    spike_peak = peak_rss_mib()
    del spike
    report = pipeline.analyze(progress=False, stage_memory=True)
    assert set(report.peak_rss_mib) == {"attributions", "reuse", "claims", "provenance"}
    assert spike_peak > resident_mib() + SPIKE_MIB / 2, "the spike should have raised the process peak"
    for stage, peak in report.peak_rss_mib.items():
        assert peak < spike_peak - SPIKE_MIB / 2, f"{stage}: {peak} MiB is the spike, not the stage"
        assert peak >= resident_mib() / 2, f"{stage}: {peak} MiB is below what the process holds"


def test_stage_memory_is_off_by_default(sqlite_store: Store, models: Models) -> None:
    for article in list(story_articles(STORY).values())[:2]:
        sqlite_store.add_article(article)
    report = Pipeline(sqlite_store, models=models).analyze(progress=False)
    assert report.cpu_seconds
    assert report.peak_rss_mib == {}
