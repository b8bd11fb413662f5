"""The shipped abuse model: a logistic regression over hashed features, scored with numpy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.features import FeatureConfig, TextFeatures, clean, featurize

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


def sentence_vectors(texts: Sequence[str], cfg: FeatureConfig) -> np.ndarray:
    """The dense block: the shipped static sentence embedding of each cleaned text, scaled.

    Always the static embedder (not the site's relevance backend, which may be MiniLM): the
    weights were fitted on these vectors."""
    from broadsheet.moderation.embedder import static_embedder

    vecs = static_embedder().embed([clean(t) for t in texts])
    if vecs.shape[1] != cfg.embed_dim:
        raise ValueError(
            f"the abuse model expects {cfg.embed_dim}-dimensional sentence vectors, "
            f"the static embedder gives {vecs.shape[1]}"
        )
    return vecs * np.float32(cfg.embed_scale)


class LinearModel:
    def __init__(
        self,
        weights: np.ndarray,
        bias: float,
        cfg: FeatureConfig,
        meta: dict,
        dense: np.ndarray | None = None,
    ):
        # float32 for the dot products; the file stores float16 to stay small.
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)
        self.cfg = cfg
        self.meta = meta
        self.dense = (
            np.asarray(dense, dtype=np.float32)
            if dense is not None
            else np.zeros(cfg.embed_dim, dtype=np.float32)
        )

    @property
    def calibration(self) -> tuple[float, float]:
        """(slope, offset) of the Platt scaling fitted on news-like dev data; (1, 0) if none."""
        cal = self.meta.get("calibration") or {}
        return float(cal.get("slope", 1.0)), float(cal.get("offset", 0.0))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            cfg = FeatureConfig(**json.loads(str(data["config"])))
            meta = json.loads(str(data["meta"])) if "meta" in data else {}
            dense = data["dense"] if "dense" in data.files else None
            return cls(data["weights"], float(data["bias"]), cfg, meta, dense)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=np.float64(self.bias),
            dense=self.dense.astype(np.float32),
            config=json.dumps(self.cfg.to_dict()),
            meta=json.dumps(self.meta),
        )

    @property
    def fusion_weight(self) -> float:
        """Weight of the pretrained model's logit added to this one's (0: not fused)."""
        return float((self.meta.get("fusion") or {}).get("weight", 0.0))

    def _dense_logits(self, texts: Sequence[str]) -> np.ndarray:
        """The logit terms not explained word by word: the sentence-vector block and the
        fused pretrained model (ml/pretrained.py)."""
        out = np.zeros(len(texts), dtype=np.float64)
        if self.fusion_weight and len(texts):
            from broadsheet.moderation.ml.pretrained import get_scorer

            out += self.fusion_weight * get_scorer().logits(texts)
        if not self.cfg.embed_dim or not len(texts):
            return out
        return out + (sentence_vectors(texts, self.cfg) @ self.dense).astype(np.float64)

    def raw_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits, as the model was fitted."""
        out = self._dense_logits(texts) + self.bias
        for i, text in enumerate(texts):
            f = featurize(text, self.cfg)
            out[i] += float(np.dot(self.weights[f.indices], f.values))
        return out

    def calibrate(self, z: np.ndarray) -> np.ndarray:
        slope, offset = self.calibration
        return sigmoid(slope * np.asarray(z, dtype=np.float64) + offset)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.calibrate(self.raw_logits(texts))

    def explain(self, texts: Sequence[str]) -> list[Scored]:
        dense = self._dense_logits(texts)
        results = []
        for text, d in zip(texts, dense, strict=True):
            f = featurize(text, self.cfg)
            contrib = self.weights[f.indices] * f.values
            z = self.bias + float(d) + float(contrib.sum())
            results.append(Scored(float(self.calibrate(np.array([z]))[0]), f, contrib))
        return results
