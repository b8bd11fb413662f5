"""The shared labelled sets as one corpus: every row with its set, split and label.

Sets with positives only (civil_toxic_spans: toxic news comments, no negatives) cannot be
measured on their own; they are paired with the held-out (dev and test split) negatives of
fox_news, the one news-comment set with negatives, which no model fitted on train splits has
seen. (The comment-like sets' Wikipedia negatives would make the pairing easy: bland talk-page
text against news-comment abuse.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.data import discover, read_rows, sha256_of, split_of
from broadsheet.moderation.ml.mining import MINED_SET, SOURCE_SET, MiningConfig, mine_folder

# Comments (not tweets): their negatives pair with positives-only sets, and their dev rows
# are the pool that calibration and the auto-mode thresholds are chosen on.
COMMENT_SETS = ("fox_news", "wiki_context_cat", "wiki_toxicity_idterm", "jigsaw_kaggle_sample")
# News-site comments: the material Broadsheet sees; they count more in every summary.
NEWS_SETS = ("fox_news", "civil_toxic_spans")
POSITIVES_ONLY = ("civil_toxic_spans",)
PAIRED_NEGATIVES = ("fox_news",)
NEWS_WEIGHT = 3.0
# Sets derived from another set's rows (ml/mining.py): left out whenever their source is, and
# never left out (or measured) on their own.
DERIVED = {MINED_SET: SOURCE_SET}


def with_derived(names: tuple[str, ...]) -> tuple[str, ...]:
    """NAMES and the sets derived from any of them."""
    return names + tuple(d for d, src in DERIVED.items() if src in names and d not in names)


def _log_nothing(_msg: str) -> None:
    return None


@dataclass
class Corpus:
    names: np.ndarray
    texts: list[str]
    labels: np.ndarray
    splits: np.ndarray
    provenance: dict[str, dict] = field(default_factory=dict)

    @property
    def sets(self) -> list[str]:
        return list(self.provenance)

    def rows(self, split: str, name: str | None = None) -> np.ndarray:
        m = self.splits == split
        if name is not None:
            m &= self.names == name
        return np.flatnonzero(m)

    def held_out(self, name: str, split: str = "test") -> np.ndarray:
        """Rows on which set NAME is measured: its own rows of SPLIT, and for a positives-only
        set those plus the held-out (dev and test) negatives of the PAIRED_NEGATIVES sets."""
        own = self.rows(split, name)
        if name not in POSITIVES_ONLY:
            return own
        negatives = np.flatnonzero(
            np.isin(self.splits, ("dev", "test"))
            & np.isin(self.names, PAIRED_NEGATIVES)
            & (self.labels == 0)
        )
        return np.concatenate([own, negatives])

    def held_out_with_mined(self, name: str, split: str = "test") -> np.ndarray | None:
        """The rows of ``held_out`` plus the SPLIT rows of the sets derived from NAME (the
        news-comment negatives mined from its comments), or None when there are none."""
        derived = [d for d, src in DERIVED.items() if src == name and d in self.provenance]
        if not derived:
            return None
        extra = np.flatnonzero((self.splits == split) & np.isin(self.names, derived))
        return np.concatenate([self.held_out(name, split), extra])

    def data_version(self) -> str:
        """One sha256 over the sha256 of every normalised CSV, in name order."""
        joined = json.dumps({k: v["sha256"] for k, v in sorted(self.provenance.items())})
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def load_corpus(
    datasets_dir: str | Path,
    only: tuple[str, ...] | None = None,
    log: Callable[[str], None] = _log_nothing,
    mining: MiningConfig | None = None,
) -> Corpus:
    """Every row of the sets under DATASETS_DIR (or just ONLY); with MINING, also the
    news-comment negatives mined from civil_toxic_spans (a set of their own, MINED_SET)."""
    sets = discover(datasets_dir)
    if only is not None:
        sets = {k: v for k, v in sets.items() if k in only}
    if not sets:
        raise FileNotFoundError(f"no <name>/<name>.csv under {datasets_dir}")
    names: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    splits: list[str] = []
    provenance = {}
    for name, path in sets.items():
        rows = read_rows(path)
        counts = {"train": 0, "dev": 0, "test": 0}
        for r in rows:
            sp = split_of(r["text"])
            counts[sp] += 1
            names.append(name)
            texts.append(r["text"])
            labels.append(int(r["label"]))
            splits.append(sp)
        provenance[name] = {"file": path.name, "sha256": sha256_of(path), "rows": len(rows)}
        provenance[name].update(counts)
        log(f"  {name}: {len(rows)} rows (train {counts['train']}, dev {counts['dev']}, "
            f"test {counts['test']})")
    if mining is not None and SOURCE_SET in sets:
        mined = mine_folder(datasets_dir, mining, exclude=set(texts))
        if mined is not None:
            names += [MINED_SET] * len(mined.texts)
            texts += mined.texts
            labels += [0] * len(mined.texts)
            splits += mined.splits
            provenance[MINED_SET] = mined.provenance
            log(f"  {MINED_SET}: {len(mined.texts)} negatives mined from "
                f"{mined.provenance['comments']} comments of {SOURCE_SET} (train "
                f"{mined.provenance['train']}, dev {mined.provenance['dev']}, test "
                f"{mined.provenance['test']})")
    return Corpus(
        names=np.asarray(names),
        texts=texts,
        labels=np.asarray(labels, dtype=np.int64),
        splits=np.asarray(splits),
        provenance=provenance,
    )
