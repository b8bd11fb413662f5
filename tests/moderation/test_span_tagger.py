"""The span tagger: features, decoding into highlights, training on a small span set, and
the abuse scanner's highlights coming from it."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from broadsheet.moderation.ml.data import split_of
from broadsheet.moderation.ml.tagger import (
    SpanTagger,
    TaggerConfig,
    decode,
    token_features,
)
from broadsheet.moderation.scanners.abuse import get_model
from broadsheet.moderation.scanners.normalize import tokenize
from tests.moderation.conftest import write_rows

RUDE = ["moron", "fool"]
CALM = ["council", "budget", "bridge", "weather", "match", "report", "figures", "road"]


def _span_set(root, n: int = 400) -> None:
    """A civil_toxic_spans folder of three workers a comment: every other comment has an
    insult all of them marked, the rest only a word one of them marked (not gold)."""
    comments, annotations, spans = [], [], []
    for i in range(n):
        calm = f"the {CALM[i % len(CALM)]} story {i} about the {CALM[(i * 3) % len(CALM)]}"
        if i % 2:
            word = RUDE[(i // 2) % len(RUDE)]
            text = f"{calm} and you are an {word} for it"
            start = text.index(word)
            for worker in "abc":
                spans.append([f"{i}{worker}", "Insult", start, start + len(word)])
        else:
            text = f"{calm} is a disgrace to the town"
            spans.append([f"{i}a", "Other", 0, 3])
        comments.append([str(i), text])
        annotations += [[f"{i}{w}", str(i), w] for w in "abc"]
    folder = root / "civil_toxic_spans"
    write_rows(folder / "comments.csv", ["comment_id", "comment_text"], comments)
    write_rows(folder / "annotations.csv", ["annotation", "comment_id", "worker"], annotations)
    write_rows(folder / "spans.csv", ["annotation", "type", "start", "end"], spans)


def _tokens(text):
    return tokenize(text)


def test_decode_highlights_nothing_when_no_token_reaches_the_comment_threshold():
    text = "you are an idiot"
    probs = np.array([0.1, 0.1, 0.1, 0.4])
    assert decode(text, _tokens(text), probs, 0.3, 0.5) == []
    assert decode(text, _tokens(text), probs, 0.3, 0.4) == [(11, 16)]


def test_decode_joins_neighbours_across_spaces_but_not_across_other_words_or_punctuation():
    text = "what a stupid idiot, truly a clown"
    probs = np.array([0.0, 0.0, 0.9, 0.8, 0.0, 0.0, 0.7])
    spans = decode(text, _tokens(text), probs, 0.5, 0.5)
    assert [text[a:b] for a, b in spans] == ["stupid idiot", "clown"]
    text = "idiot, moron"
    spans = decode(text, _tokens(text), np.array([0.9, 0.9]), 0.5, 0.5)
    assert [text[a:b] for a, b in spans] == ["idiot", "moron"]


def test_token_features_are_stable_per_token_and_see_through_disguises():
    cfg = TaggerConfig(n_buckets=1 << 12)
    plain, disguised = "you are an idiot", "you are an 1d10t"
    a = token_features(plain, _tokens(plain), {"idiot": 1.0}, 0.9, cfg)
    b = token_features(disguised, _tokens(disguised), {"idiot": 1.0}, 0.9, cfg)
    assert len(a) == 4 and all(0 <= i < cfg.n_buckets for ids in a for i in ids)
    assert a == token_features(plain, _tokens(plain), {"idiot": 1.0}, 0.9, cfg)
    # Only the spelling's shape and "was disguised" features differ (one of each per side).
    assert len(set(a[3]) ^ set(b[3])) == 4


def test_a_tagger_survives_saving_and_loading(tmp_path):
    cfg = TaggerConfig(n_buckets=1 << 10)
    weights = np.linspace(-1, 1, cfg.n_buckets).astype(np.float32)
    tagger = SpanTagger(weights, -0.5, cfg, 0.3, 0.6, {"C": 0.02})
    tagger.save(tmp_path / "t.npz")
    loaded = SpanTagger.load(tmp_path / "t.npz")
    assert loaded.cfg == cfg and loaded.bias == -0.5 and loaded.meta["C"] == 0.02
    assert (loaded.token_threshold, loaded.comment_threshold) == (0.3, 0.6)
    np.testing.assert_allclose(loaded.weights, weights, atol=1e-3)
    text = "you are an idiot"
    np.testing.assert_allclose(loaded.token_probabilities(text, None)[1],
                               tagger.token_probabilities(text, None)[1], atol=1e-3)


def test_training_learns_the_marked_words_and_writes_the_data_version(tmp_path):
    from broadsheet.moderation.ml import span_training

    _span_set(tmp_path)
    out = tmp_path / "spans.npz"
    summary = span_training.train(tmp_path, out, c_grid=(1.0,))
    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert sidecar["data_version"] == summary["data_version"] == span_training.data_version(
        tmp_path)
    assert summary["char_f1"]["dev"] > 0.9
    tagger, model = SpanTagger.load(out), get_model()
    rude = "the bridge story 9 about the road and you are a fool for it"
    calm = "the budget story 8 about the match is a disgrace to the town"
    assert {split_of(rude), split_of(calm)} <= {"train", "dev", "test"}
    scored = model.explain([rude, calm])
    assert [rude[a:b] for a, b in tagger.spans(rude, scored[0])] == ["fool"]
    assert tagger.spans(calm, scored[1]) == []


def test_the_scanner_highlights_what_the_tagger_marks(tmp_path, monkeypatch):
    from broadsheet.moderation.ml import span_training
    from broadsheet.moderation.scanners import abuse
    from broadsheet.moderation.scanners.base import ScanContext

    _span_set(tmp_path)
    out = tmp_path / "spans.npz"
    span_training.train(tmp_path, out, c_grid=(1.0,))
    monkeypatch.setenv("BROADSHEET_SPAN_TAGGER", str(out))
    monkeypatch.setattr(abuse, "_taggers", {})
    text = "the road story 5 about the bridge and you are an moron for it"
    [result] = abuse.AbuseScanner().scan_batch([ScanContext(text=text)])
    assert result.reasons and result.reasons[0].code == "personal-attack"
    assert [text[s.start : s.end] for s in result.reasons[0].spans] == ["moron"]


def test_without_a_tagger_file_the_scanner_falls_back_to_the_push_rule(tmp_path, monkeypatch):
    from broadsheet.moderation.scanners import abuse
    from broadsheet.moderation.scanners.base import ScanContext

    monkeypatch.setenv("BROADSHEET_SPAN_TAGGER", str(tmp_path / "missing.npz"))
    monkeypatch.setattr(abuse, "_taggers", {})
    text = "you are a stupid moron"
    [result] = abuse.AbuseScanner().scan_batch([ScanContext(text=text)])
    assert {text[s.start : s.end] for s in result.reasons[0].spans} & {"stupid", "moron"}


def test_train_spans_command_reports_without_saving(tmp_path):
    _span_set(tmp_path)
    out = io.StringIO()
    call_command("moderation", "train-spans", "--datasets", str(tmp_path), "--no-save",
                 "--out", str(tmp_path / "x.npz"), stdout=out)
    assert not (tmp_path / "x.npz").exists()


@pytest.mark.parametrize("split", ["dev", "test"])
def test_spans_eval_reports_dev_and_test_for_the_tagger_and_the_push_rule(tmp_path, split):
    _span_set(tmp_path, 120)
    out = io.StringIO()
    call_command("moderation", "eval", "--spans", "--datasets", str(tmp_path), "--json",
                 stdout=out, stderr=io.StringIO())
    spans = json.loads(out.getvalue())["spans"]
    row = spans[split]
    assert row["comments"] > 0
    assert 0.0 <= row["char_f1"] <= 1.0 and 0.0 <= row["push_rule_char_f1"] <= 1.0
