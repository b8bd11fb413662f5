"""The pretrained abuse model fused with the shipped one: cuss-inspect's TF-IDF regression.

cuss-inspect (MIT) is a scikit-learn TfidfVectorizer (50,000 word 1–2-grams) and a logistic
regression trained on Jigsaw's 2018 Wikipedia comments and the davidson tweets. Its weights are
not in git: ``make venv`` extracts them into ``<venv>/share/broadsheet/pretrained/cuss-inspect.npz``
(``pretrained_install.py``), and this module scores with numpy alone, tokenising exactly as the
pickled vectorizer did (lower-case, accents stripped, its token pattern, English stop words
removed, then 1–2-grams; sublinear tf × idf, l2-normalised).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FILE_NAME = "cuss-inspect.npz"
INSTALL_HINT = (
    "run `make venv` (or `make venv-dev`), which extracts it with "
    "src/broadsheet/moderation/ml/pretrained_install.py"
)


class PretrainedMissing(RuntimeError):
    pass


def pretrained_path() -> Path:
    """Where the extracted file is: BROADSHEET_PRETRAINED_DIR, else the venv's share folder."""
    folder = os.environ.get("BROADSHEET_PRETRAINED_DIR") or str(
        Path(sys.prefix) / "share" / "broadsheet" / "pretrained"
    )
    return Path(folder) / FILE_NAME


def _strip_accents(s: str) -> str:
    normalized = unicodedata.normalize("NFKD", s)
    if normalized == s:
        return s
    return "".join(c for c in normalized if not unicodedata.combining(c))


class PretrainedScorer:
    def __init__(self, path: str | Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            terms = [str(t) for t in data["terms"]]
            self.idf = data["idf"].astype(np.float64)
            self.coef = data["coef"].astype(np.float64)
            self.intercept = float(data["intercept"])
            self.stop_words = frozenset(str(w) for w in data["stop_words"])
            self.settings = json.loads(str(data["settings"]))
        self.index = {t: i for i, t in enumerate(terms)}
        self.pattern = re.compile(self.settings["token_pattern"])
        lo, hi = self.settings["ngram_range"]
        self.ngrams = range(int(lo), int(hi) + 1)
        # Each term's weight once tf is known: idf × coefficient (the norm divides later).
        self.idf_coef = self.idf * self.coef

    def terms_of(self, text: str, drop: frozenset[str] | set[str] = frozenset()) -> list[str]:
        if self.settings.get("lowercase", True):
            text = text.lower()
        if self.settings.get("strip_accents") == "unicode":
            text = _strip_accents(text)
        words = [w for w in self.pattern.findall(text)
                 if w not in self.stop_words and w not in drop]
        out: list[str] = []
        for n in self.ngrams:
            out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return out

    def logit(self, text: str, drop: frozenset[str] | set[str] = frozenset()) -> float:
        """The logit of TEXT (without the words in DROP, as if they were stop words)."""
        found = (self.index.get(t) for t in self.terms_of(text, drop))
        counts = Counter(i for i in found if i is not None)
        if not counts:
            return self.intercept
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.settings.get("sublinear_tf"):
            tf = np.log(tf) + 1.0
        x = tf * self.idf[idx]
        norm = math.sqrt(float(x @ x)) or 1.0
        return self.intercept + float(tf @ self.idf_coef[idx]) / norm

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self.logit(t) for t in texts], dtype=np.float64)


_lock = threading.Lock()
_scorers: dict[str, PretrainedScorer] = {}


def get_scorer(path: str | Path | None = None) -> PretrainedScorer:
    """The scorer, loaded once per process; a clear error naming the make target if missing."""
    p = Path(path) if path else pretrained_path()
    key = str(p)
    scorer = _scorers.get(key)
    if scorer is None:
        with _lock:
            scorer = _scorers.get(key)
            if scorer is None:
                if not p.exists():
                    raise PretrainedMissing(
                        f"the pretrained abuse model {p} is missing: {INSTALL_HINT}"
                    )
                scorer = _scorers[key] = PretrainedScorer(p)
    return scorer
