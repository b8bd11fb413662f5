"""The shipped abuse model: a logistic regression over hashed features, scored with numpy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.features import FeatureConfig, TextFeatures, featurize

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS_DIR / "abuse-v1.npz"


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


@dataclass
class Scored:
    probability: float
    features: TextFeatures
    # Each feature's push on the logit; spread over the words only when asked for.
    feature_contributions: np.ndarray

    @property
    def contributions(self) -> np.ndarray:
        """Per token of ``features.tokens``: how much that word pushed the logit up or down.
        Worked out on demand: most comments score too low to need their words explained."""
        per_token = np.zeros(len(self.features.tokens), dtype=np.float64)
        if len(self.features.owner):
            np.add.at(per_token, self.features.owner, self.feature_contributions)
        return per_token


class LinearModel:
    def __init__(self, weights: np.ndarray, bias: float, cfg: FeatureConfig, meta: dict):
        # float32 for the dot products; the file stores float16 to stay small.
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)
        self.cfg = cfg
        self.meta = meta

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            cfg = FeatureConfig(**json.loads(str(data["config"])))
            meta = json.loads(str(data["meta"])) if "meta" in data else {}
            return cls(data["weights"], float(data["bias"]), cfg, meta)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=np.float64(self.bias),
            config=json.dumps(self.cfg.to_dict()),
            meta=json.dumps(self.meta),
        )

    def logits(self, feats: Sequence[TextFeatures]) -> np.ndarray:
        out = np.empty(len(feats), dtype=np.float64)
        for i, f in enumerate(feats):
            out[i] = self.bias + float(np.dot(self.weights[f.indices], f.values))
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return sigmoid(self.logits([featurize(t, self.cfg) for t in texts]))

    def explain(self, texts: Sequence[str]) -> list[Scored]:
        results = []
        for text in texts:
            f = featurize(text, self.cfg)
            contrib = self.weights[f.indices] * f.values
            z = self.bias + float(contrib.sum())
            results.append(Scored(float(sigmoid(np.array([z]))[0]), f, contrib))
        return results
