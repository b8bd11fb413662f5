"""What ``manage.py moderation eval`` measures, kept apart from the command for reuse and tests.

Abuse: ROC AUC of the abuse scanner, precision/recall/F1 at the configured hold and reject
thresholds, throughput of the whole scan, and "auto" mode - the share of comments that every
scanner lets through (all scores under their hold thresholds, no verdict) and how many abusive
comments slip through among them. Relevance: delegated to the relevance scanner's
``build_pairs_and_score(rows, pool=...)``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from broadsheet.moderation.ml.data import (
    FALSE_LABELS,
    TRUE_LABELS,
    DatasetError,
    Output,
    label_of,
)
from broadsheet.moderation.ml.metrics import auto_mode, precision_recall_f1, roc_auc
from broadsheet.moderation.scanners.base import ScanContext

BATCH = 256


def configured_thresholds() -> dict[str, dict[str, float]]:
    try:
        from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS
    except ImportError:  # pragma: no cover - the module ships with the package
        return {"abuse": {"hold": 0.5, "reject": 0.95}, "spam": {"hold": 0.5, "reject": 0.9}}
    return {k: dict(v) for k, v in DEFAULT_THRESHOLDS.items()}


def has_article_context(rows: Sequence[dict]) -> bool:
    return any((r.get("article_title") or "").strip() for r in rows)


def has_context(rows: Sequence[dict]) -> bool:
    """An article or a parent comment to measure relevance against, on some row."""
    return any(
        (r.get("article_title") or "").strip() or (r.get("parent_text") or "").strip()
        for r in rows
    )


def has_labels(rows: Sequence[dict]) -> bool:
    return bool(rows) and all(str(r.get("label", "")).strip() in ("0", "1") for r in rows)


def rows_with_text(rows: Sequence[dict]) -> tuple[list[dict], list[str]]:
    """ROWS without those whose text is blank (nothing to scan), and a note if any went."""
    kept = [r for r in rows if (r.get("text") or "").strip()]
    dropped = len(rows) - len(kept)
    notes = [f"left out {dropped} rows with an empty text"] if dropped else []
    return kept, notes


def labelled(rows: Sequence[dict], column: str = "label") -> tuple[list[dict], list[str]]:
    """ROWS with their label read as 0/1 (see ``data.label_of``), rows whose label cell is
    empty left out with a note. A label that cannot be read raises DatasetError naming the
    line, so a typo is fixed rather than silently measured."""
    kept: list[dict] = []
    empty = fractional = 0
    for r in rows:
        raw = r.get(column)
        try:
            value = label_of(raw)
        except ValueError:
            raise DatasetError(
                f"line {r.get('_line', '?')}: the {column} {raw!r} is not 0/1, true/false "
                "or a share between 0 and 1; fix or empty that cell"
            ) from None
        if value is None:
            empty += 1
            continue
        cell = str(raw).strip()  # a label was read, so the cell has one
        if cell.lower() not in TRUE_LABELS | FALSE_LABELS and 0 < float(cell) < 1:
            fractional += 1
        kept.append({**r, column: str(value)})
    notes = []
    if empty:
        notes.append(f"left out {empty} rows without a {column}")
    if fractional:
        notes.append(f"{fractional} {column}s were shares between 0 and 1: 0.5 or more counts as 1")
    if kept and len({r[column] for r in kept}) == 1:
        notes.append(f"every row has the {column} {kept[0][column]}: ROC AUC is undefined")
    return kept, notes


def contexts_for(rows: Sequence[dict]) -> list[ScanContext]:
    return [
        ScanContext(
            text=r.get("text", ""),
            article_title=r.get("article_title") or "",
            article_deck=r.get("article_summary") or "",
            parent_text=(r.get("parent_text") or None),
        )
        for r in rows
    ]


def relevance_pairs_function() -> Callable | None:
    try:
        module = importlib.import_module("broadsheet.moderation.scanners.relevance")
    except ImportError:
        return None
    return getattr(module, "build_pairs_and_score", None)


def _relevance_scanner():
    """The relevance scanner, or None while it is not there.

    It embeds headline and deck itself when a context has no stored article vectors, which is
    the case for rows read from a CSV.
    """
    try:
        module = importlib.import_module("broadsheet.moderation.scanners.relevance")
        return module.RelevanceScanner()
    except (ImportError, AttributeError):
        return None


def _progress(out: Output | None, label: str, done: int, total: int, started: float) -> None:
    if out is None:
        return
    rate = done / max(time.perf_counter() - started, 1e-9)
    out.write(f"  {label}: {done}/{total} ({rate:.0f}/s)\n")
    out.flush()


def evaluate_abuse(
    rows: Sequence[dict],
    thresholds: dict[str, dict[str, float]] | None = None,
    progress: Output | None = None,
    with_relevance: bool = True,
    pool: Sequence[dict] | None = None,
) -> dict:
    """Every abuse-side number of the report for labelled rows.

    In auto mode the relevance scanner sees what the pipeline gives it: the file's other
    articles as the background, and discussions from POOL (see ``evaluate_relevance``)."""
    from broadsheet.moderation.scanners.abuse import AbuseScanner
    from broadsheet.moderation.scanners.spam import SpamScanner

    limits = thresholds or configured_thresholds()
    labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
    contexts = contexts_for(rows)
    abuse, spam = AbuseScanner(), SpamScanner()
    abuse.model  # load before timing: the first comment should not pay for it  # noqa: B018
    relevance = _relevance_scanner() if with_relevance and has_article_context(rows) else None
    if relevance is not None:
        from broadsheet.moderation.relevance.evaluation import place_in_file

        rows = list(rows)
        place_in_file(contexts, rows, range(len(rows)), None if pool is None else list(pool),
                      relevance.embedder)

    notes: list[str] = []
    if relevance is not None and contexts and not _warmed_up(relevance, notes):
        relevance = None
    n = len(contexts)
    scores = {"abuse": np.zeros(n), "spam": np.zeros(n)}
    if relevance is not None:
        scores["relevance"] = np.zeros(n)
    verdict = np.zeros(n, dtype=bool)
    started = time.perf_counter()
    abuse_seconds = 0.0
    for lo in range(0, n, BATCH):
        batch = contexts[lo : lo + BATCH]
        t0 = time.perf_counter()
        a = abuse.scan_batch(batch)
        abuse_seconds += time.perf_counter() - t0
        s = spam.scan_batch(batch)
        for k, (ra, rs) in enumerate(zip(a, s, strict=False)):
            scores["abuse"][lo + k] = ra.score
            scores["spam"][lo + k] = rs.score
            verdict[lo + k] = bool(ra.verdict or rs.verdict)
        if relevance is not None:
            try:
                for k, rr in enumerate(relevance.scan_batch(batch)):
                    scores["relevance"][lo + k] = rr.score
                    verdict[lo + k] |= bool(rr.verdict)
            except Exception as exc:  # the relevance scanner is another team's; report, go on
                notes.append(f"relevance scanner failed ({exc!r}); auto mode without it")
                scores.pop("relevance", None)
                relevance = None
        if (lo // BATCH) % 8 == 7 or lo + BATCH >= n:
            _progress(progress, "scanned", min(lo + BATCH, n), n, started)
    total_seconds = time.perf_counter() - started

    result: dict = {
        "rows": n,
        "positives": int(labels.sum()),
        "thresholds": limits,
        "abuse_roc_auc": roc_auc(labels, scores["abuse"]),
        "comments_per_second": n / total_seconds if total_seconds else 0.0,
        "abuse_comments_per_second": n / abuse_seconds if abuse_seconds else 0.0,
        "scanners_in_auto_mode": sorted(scores),
        "notes": notes,
    }
    result.update(_at_thresholds(labels, scores, verdict, limits))

    baseline = _baseline_scores([c.text for c in contexts])
    if baseline is not None:
        result["alt_profanity_check_roc_auc"] = roc_auc(labels, baseline)
    return result


def _warmed_up(relevance: Any, notes: list[str]) -> bool:
    """Load the relevance scanner's embedder before timing (start-up cost, not per-comment
    cost); False, with a note, if it fails."""
    try:
        relevance.scan_batch([ScanContext(text="warm up", article_title="warm up")])
    except Exception as exc:
        notes.append(f"relevance scanner failed ({exc!r}); auto mode without it")
        return False
    return True


def _at_thresholds(
    labels: np.ndarray, scores: dict[str, np.ndarray], verdict: np.ndarray,
    limits: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """The abuse scanner's precision and recall at its thresholds, and what auto mode would
    publish with every scanner's hold threshold."""
    result: dict[str, Any] = {}
    for level in ("hold", "reject"):
        limit = limits.get("abuse", {}).get(level)
        if limit is not None:
            prf = precision_recall_f1(labels, scores["abuse"] >= limit)
            result[f"abuse_at_{level}"] = {"threshold": limit, **prf}
    published = ~verdict
    for name, values in scores.items():
        hold = limits.get(name, {}).get("hold")
        if hold is not None:
            published &= values < hold
    auto = auto_mode(labels, published)
    result["auto_published_share"] = auto["published_share"]
    result["auto_slip_rate"] = auto["slip_rate"]
    result["auto_published"] = auto["published"]
    return result


def _baseline_scores(texts: list[str]) -> np.ndarray | None:
    try:
        from profanity_check import predict_prob
    except Exception:  # not installed, or its pickled model does not load here
        return None
    return np.asarray(predict_prob(texts), dtype=np.float64)


def evaluate_relevance_on_file_labels(
    rows: Sequence[dict], pool: Sequence[dict] | None = None
) -> dict:
    """ROC AUC of the relevance score against the file's own labels (1 = off-topic), each
    row scored against the context it came with, as the pipeline would score it: the file's
    other articles as background, discussions from POOL as in ``evaluate_relevance``."""
    from broadsheet.moderation.relevance.evaluation import place_in_file, scores_in_batches

    scanner = _relevance_scanner()
    if scanner is None:
        return {"relevance_roc_auc": None, "notes": ["the relevance scanner is not available"]}
    rows = list(rows)
    contexts = contexts_for(rows)
    place_in_file(contexts, rows, range(len(rows)), list(pool) if pool is not None else None,
                  scanner.embedder)
    started = time.perf_counter()
    scores = scores_in_batches(scanner, contexts, BATCH)
    seconds = time.perf_counter() - started
    labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
    return {
        "relevance_roc_auc": roc_auc(labels, np.asarray(scores)),
        "relevance_measure": "file labels (1 = off-topic)",
        "relevance_rows": len(rows),
        "relevance_rows_per_second": len(rows) / seconds if seconds else 0.0,
        "notes": [],
    }


def evaluate_relevance(rows: Sequence[dict], pool: Sequence[dict] | None = None) -> dict:
    """ROC AUC of own-article (0) vs other-article (1) pairs made from ROWS.

    POOL is the whole file in posting order (default ROWS): each article's discussion is
    taken from it, the comments before a row under its own article and all comments under
    any other."""
    fn = relevance_pairs_function()
    if fn is None:
        return {
            "relevance_roc_auc": None,
            "notes": [
                "broadsheet.moderation.scanners.relevance.build_pairs_and_score is not "
                "available yet; relevance cannot be evaluated"
            ],
        }
    started = time.perf_counter()
    labels, scores = fn(list(rows), pool=list(pool) if pool is not None else None)
    seconds = time.perf_counter() - started
    labels = np.asarray(labels)
    return {
        "relevance_roc_auc": roc_auc(labels, scores),
        "relevance_measure": "each comment with its own article or parent (0) and with another (1)",
        "relevance_pairs": int(len(labels)),
        "relevance_pairs_per_second": len(labels) / seconds if seconds else 0.0,
        "notes": [],
    }
