"""The full all-MiniLM-L6-v2 run with numpy: same vectors as sentence-transformers, no torch."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from broadsheet.moderation import embedder
from broadsheet.moderation.minilm import MiniLM, package_model_dir
from broadsheet.moderation.scanners.base import ScanContext
from broadsheet.moderation.scanners.relevance import RelevanceScanner

TEXTS = [
    "The council's bus cuts will strand people in the valley.",
    "Buses to the valley are being cut back by the council.",
    "Great recipe, I added more garlic.",
    "Agreed.",
]
# The first six numbers of each text's vector from sentence-transformers 5 with torch 2.13.0
# (CPU), encode(..., normalize_embeddings=True), for the same package's weights.
REFERENCE = [
    [-0.021976, -0.039989, 0.052085, 0.019315, -0.00738, -0.009478],
    [0.004764, -0.03941, 0.078446, 0.066228, 0.008388, 0.007817],
    [-0.094546, 0.010774, -0.013814, 0.030174, -0.051174, -0.031722],
    [-0.064185, 0.019341, -0.031248, -0.054902, -0.051813, 0.015204],
]
REFERENCE_COSINES = [[1.0, 0.8106, -0.0038, 0.041], [0.8106, 1.0, 0.0466, 0.0353]]


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return MiniLM()


def test_the_weights_come_from_the_installed_package():
    assert (package_model_dir() / "model.safetensors").is_file()


def test_it_gives_the_vectors_sentence_transformers_gives(model):
    vectors = model.embed(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[:, :6], REFERENCE, atol=2e-6)
    np.testing.assert_allclose((vectors @ vectors.T)[:2], REFERENCE_COSINES, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batching_and_length_do_not_change_a_vector(model):
    alone = model.embed([TEXTS[0]])
    long_text = "The valley route runs every hour. " * 200  # truncated to 256 tokens
    mixed = model.embed([long_text, TEXTS[0], "", *TEXTS[1:]], batch_tokens=64)
    np.testing.assert_allclose(mixed[1], alone[0], atol=1e-5)
    assert np.all(np.isfinite(mixed))
    assert model.embed([]).shape == (0, 384)


def test_torch_is_never_imported(model):
    model.embed(TEXTS)
    assert "torch" not in sys.modules
    assert "sentence_transformers" not in sys.modules


def test_the_relevance_scanner_runs_on_it_when_asked(monkeypatch):
    monkeypatch.setenv("BROADSHEET_EMBEDDER", "minilm")
    embedder.reset_backend()
    try:
        assert embedder.model_name() == "all-minilm-l6-v2"
        scanner = RelevanceScanner()
        own, other = scanner.scan_batch([
            ScanContext(
                text="Cutting the evening buses leaves shift workers in the valley stranded.",
                article_title="Council cuts valley bus routes",
                article_deck="Evening services to four villages end in March.",
            ),
            ScanContext(
                text="Cutting the evening buses leaves shift workers in the valley stranded.",
                article_title="Striker signs three-year deal",
                article_deck="The club's record signing arrives from Lisbon.",
            ),
        ])
        assert own.score < other.score
    finally:
        embedder.reset_backend()
