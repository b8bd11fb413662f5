"""Shared by the moderation tests: stand-in scanners, a policy setter, the relevance scanner,
a CSV writer for small dataset folders."""

from __future__ import annotations

import csv

import pytest

from broadsheet.core.models import SiteSettings
from broadsheet.moderation import embedder
from broadsheet.moderation.scanners.base import Reason, ScanResult, Span
from broadsheet.moderation.scanners.relevance import RelevanceScanner


class StandIn:
    def __init__(self, name: str, scores: dict[str, float], verdict: str | None = None):
        self.name = name
        self.scores = scores
        self.verdict = verdict
        self.seen: list[str] = []

    def scan_batch(self, contexts):
        results = []
        for context in contexts:
            self.seen.append(context.text)
            score = next((s for word, s in self.scores.items() if word in context.text), 0.0)
            reasons = (
                [Reason(code=self.name if self.name != "abuse" else "abusive",
                        message=f"{self.name} says so", score=score, spans=[Span(0, 4)])]
                if score else []
            )
            results.append(ScanResult(self.name, score, reasons,
                                      self.verdict if score else None))
        return results


def set_policy(policy: str) -> None:
    site = SiteSettings.load()
    site.moderation_policy = policy
    site.abuse_hold_threshold, site.abuse_reject_threshold = 0.5, 0.9
    site.spam_hold_threshold, site.spam_reject_threshold = 0.5, 0.95
    site.relevance_hold_threshold = 0.8
    site.save()


@pytest.fixture(scope="module")
def scanner(request: pytest.FixtureRequest) -> RelevanceScanner:
    """The relevance scanner on the shipped embedder: with the test module's CALIBRATION if it
    has one (round numbers that do not move with each re-calibration), else the shipped one."""
    embedder.reset_backend()
    return RelevanceScanner(calibration=getattr(request.module, "CALIBRATION", None))


def write_rows(path, header, rows) -> None:
    """A small CSV file like the shared datasets' (its folder made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
