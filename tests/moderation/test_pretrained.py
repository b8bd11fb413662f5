"""The pretrained model fused with the abuse model: cuss-inspect's weights scored with numpy."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest

from broadsheet.moderation.ml import pretrained
from broadsheet.moderation.ml.pretrained_install import RestrictedUnpickler

# decision_function of the package's own pickled TfidfVectorizer + LogisticRegression
# (scikit-learn 1.9.1), computed once outside the project.
EXPECTED = {
    "You are a complete idiot.": 6.663523,
    "Police say the man was shot dead in Hackney on Tuesday.": -0.976613,
    "Thank you for the thoughtful article.": -4.885301,
    "": -1.903464,
    "the and of": -1.903464,  # stop words only: the intercept
    "Stupid stupid STUPID café crétin": 3.606829,  # tf, case and accents
    "go to hell you moron!!": 7.437551,
    "shut up": 2.897408,
}


@pytest.fixture(scope="module")
def scorer() -> pretrained.PretrainedScorer:
    path = pretrained.pretrained_path()
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI: {pretrained.INSTALL_HINT}")
        pytest.skip(f"{path} not extracted (`make venv-dev` extracts it)")
    return pretrained.get_scorer(path)


def test_logits_match_the_package(scorer):
    got = scorer.logits(list(EXPECTED))
    assert np.allclose(got, list(EXPECTED.values()), atol=1e-4)


def test_tokenisation_follows_the_vectorizer(scorer):
    # lower-cased, accents stripped, one-letter words and stop words dropped, then bigrams
    assert scorer.terms_of("The Café is a DISGRACE") == ["cafe", "disgrace", "cafe disgrace"]


def test_fused_model_adds_the_weighted_logit(scorer):
    from broadsheet.moderation.ml.linear import LinearModel
    from broadsheet.moderation.scanners.abuse import get_model

    shipped = get_model()
    plain = LinearModel(shipped.weights, shipped.bias, shipped.cfg, {}, shipped.dense)
    fused = LinearModel(shipped.weights, shipped.bias, shipped.cfg,
                        {"fusion": {"weight": 0.5}}, shipped.dense)
    texts = ["You are a complete idiot.", "Thank you for the thoughtful article."]
    want = plain.raw_logits(texts) + 0.5 * scorer.logits(texts)
    assert np.allclose(fused.raw_logits(texts), want)
    z = [fused.calibrate(np.array([w]))[0] for w in want]
    assert np.allclose([s.probability for s in fused.explain(texts)], z)


def test_missing_file_names_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setenv("BROADSHEET_PRETRAINED_DIR", str(tmp_path))
    with pytest.raises(pretrained.PretrainedMissing, match="make venv"):
        pretrained.get_scorer()


def test_system_check_reports_a_missing_file(tmp_path, monkeypatch):
    from broadsheet.moderation.checks import pretrained_model_present
    from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel

    model = LinearModel.load(DEFAULT_MODEL)
    model.meta["fusion"] = {"weight": 1.0}
    model.save(tmp_path / "fused.npz")
    monkeypatch.setenv("BROADSHEET_ABUSE_MODEL", str(tmp_path / "fused.npz"))
    monkeypatch.setenv("BROADSHEET_PRETRAINED_DIR", str(tmp_path / "nowhere"))
    errors = pretrained_model_present()
    assert [e.id for e in errors] == ["moderation.E001"]
    assert "make venv" in errors[0].hint


class _Evil:
    def __reduce__(self):
        return (os.system, ("true",))


def test_unpickler_refuses_other_classes():
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        RestrictedUnpickler(io.BytesIO(pickle.dumps(_Evil()))).load()
    arr = RestrictedUnpickler(io.BytesIO(pickle.dumps(np.arange(3.0)))).load()
    assert arr.tolist() == [0.0, 1.0, 2.0]


def test_a_negated_insult_loses_the_pretrained_push_too(scorer):
    from broadsheet.moderation.ml.linear import LinearModel
    from broadsheet.moderation.scanners.abuse import get_model
    from broadsheet.moderation.scanners.abuse_shapes import discounted_probability, find_shapes

    shipped = get_model()
    fused = LinearModel(shipped.weights, shipped.bias, shipped.cfg,
                        {"fusion": {"weight": 1.0}}, shipped.dense)
    text = "I don't think you're an idiot."
    scored = fused.explain([text])[0]
    shapes = find_shapes(text, scored.features.tokens)
    assert shapes.discounted
    plain_discount = discounted_probability(fused, scored, shapes)
    assert discounted_probability(fused, scored, shapes, text) < plain_discount
    assert scorer.logit(text, drop={"idiot"}) < scorer.logit(text)
