"""The shipped abuse model loads, scores, and explains itself."""

import json

import pytest

from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel
from broadsheet.moderation.scanners.abuse import AbuseScanner, get_model
from broadsheet.moderation.scanners.base import ScanContext


@pytest.fixture(scope="module")
def scanner():
    return AbuseScanner()


def _scan(scanner, text):
    return scanner.scan_batch([ScanContext(text=text)])[0]


def test_it_ships_a_small_model_file_with_its_provenance():
    assert DEFAULT_MODEL.is_file()
    assert DEFAULT_MODEL.stat().st_size < 5_000_000
    sidecar = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())
    assert sidecar["script"].startswith("broadsheet moderation train")
    assert all("sha256" in d and "rows" in d for d in sidecar["datasets"].values())
    assert len(sidecar["data_version"]) == 64
    assert "test_roc_auc_in_domain" in sidecar
    assert sidecar["auto_mode"]["slip_table_dev"]


def test_it_loads_the_model_once_per_process():
    assert get_model() is get_model()
    assert isinstance(get_model(), LinearModel)


def test_it_scores_an_abusive_comment_high_and_a_polite_one_low(scanner):
    abusive = _scan(scanner, "You are a pathetic fucking idiot, shut up you moron")
    polite = _scan(scanner, "Thank you for a thoughtful article on the council's budget.")
    assert abusive.score > 0.8
    assert polite.score < 0.2
    assert polite.reasons == []


def test_it_sees_through_disguised_obscenity(scanner):
    plain = _scan(scanner, "what a load of shit").score
    for disguised in ["what a load of sh1t", "what a load of s h i t", "what a load of shiiiit"]:
        assert _scan(scanner, disguised).score == pytest.approx(plain, abs=0.15), disguised


def test_it_highlights_the_offending_words_in_the_original_text(scanner):
    text = "RT @someone: you are a stupid b1tch &amp; a moron"
    result = _scan(scanner, text)
    assert result.reasons
    highlighted = {text[s.start : s.end].lower() for s in result.reasons[0].spans}
    assert highlighted & {"b1tch", "moron", "stupid"}


def test_it_calls_an_insult_aimed_at_you_a_personal_attack(scanner):
    result = _scan(scanner, "You are a worthless idiot and a moron")
    assert result.reasons[0].code == "personal-attack"


def test_it_calls_abuse_without_a_target_abusive(scanner):
    result = _scan(scanner, "this fucking shit is bullshit")
    assert result.reasons[0].code == "abusive"


def test_it_returns_one_result_per_comment_in_order(scanner):
    texts = ["lovely photos", "fuck off idiot", "", "interesting point about rates"]
    results = scanner.scan_batch([ScanContext(text=t) for t in texts])
    assert len(results) == 4
    assert all(r.scanner == "abuse" and 0.0 <= r.score <= 1.0 for r in results)
    assert results[1].score > results[0].score


def test_it_holds_threats_the_model_alone_would_miss_and_highlights_them(scanner):
    from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

    text = "Just k1ll yourself already"
    result = _scan(scanner, text)
    assert result.score >= DEFAULT_THRESHOLDS["abuse"]["hold"]
    assert result.reasons[0].code == "personal-attack"
    assert [text[s.start : s.end] for s in result.reasons[0].spans] == ["k1ll yourself"]


def test_it_calls_incitement_against_a_group_abusive(scanner):
    result = _scan(scanner, "They should all be shot")
    assert result.score >= 0.9
    assert result.reasons[0].code == "abusive"


def test_a_negated_or_reported_threat_is_not_lifted_to_the_threat_score(scanner):
    from broadsheet.moderation.scanners.abuse import THREAT_SCORE

    assert _scan(scanner, "I hope you die").score >= THREAT_SCORE
    for text in (
        "I would never say I hope you die to anyone, whatever they wrote.",
        'He wrote "kill yourself" under my post and the police did nothing.',
        "The troll said I should be shot; I reported him.",
    ):
        assert _scan(scanner, text).score < THREAT_SCORE, text


def test_the_scanner_scores_what_the_model_predicts(scanner):
    texts = ["What a thoughtful piece.", "you are a pathetic idiot", "muslims are vermin"]
    direct = get_model().predict_proba(texts)
    explained = [s.probability for s in get_model().explain(texts)]
    assert explained == pytest.approx(list(direct), abs=1e-6)


def test_it_does_not_flag_a_news_report_of_a_killing(scanner):
    from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

    result = _scan(scanner, "Police say the man was shot dead in Hackney on Tuesday.")
    assert result.score < DEFAULT_THRESHOLDS["abuse"]["hold"]


def test_model_files_without_word_max_keep_their_bigram_features(tmp_path):
    import numpy as np

    from broadsheet.moderation.ml.features import FeatureConfig, featurize

    old = tmp_path / "old.npz"
    np.savez_compressed(
        old,
        weights=np.zeros(1 << 10, dtype=np.float16),
        bias=np.float64(0.0),
        config=json.dumps({"n_buckets": 1 << 10, "char_min": 2, "char_max": 5}),
        meta=json.dumps({}),
    )
    assert LinearModel.load(old).cfg.word_max == 2
    text = "you are a moron"
    bigrams = featurize(text, FeatureConfig(word_max=2))
    trigrams = featurize(text, FeatureConfig(word_max=3))
    assert set(bigrams.indices) < set(trigrams.indices)
    assert get_model().cfg.word_max == 3
