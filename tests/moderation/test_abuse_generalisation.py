"""Measuring the abuse judgement beyond one test split: leave-one-set-out, functional cases,
highlighted spans (SemEval character F1), the slip-target threshold and the identity gap."""

import io
import json
import random

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.moderation.ml.functional import (
    CASES_FILE,
    Case,
    CasesError,
    judge,
    load_cases,
)
from broadsheet.moderation.ml.spans import chars_of, mean_span_f1, span_f1
from broadsheet.moderation.ml.training import hold_for_slip, slip_table
from tests.moderation.conftest import write_rows

CATEGORIES = {
    "negation",
    "counter_speech",
    "identity_neutral",
    "self_reference",
    "profanity_no_target",
    "threats_no_rude_word",
    "dehumanising",
    "obfuscated",
    "political_disagreement",
}


def _write_set(path, rows) -> None:
    write_rows(path, ["text", "label"], rows)


def _synthetic(n: int, seed: int, positives_only: bool = False) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rude = ["idiot", "moron", "scum", "pathetic", "clown"]
    calm = ["budget", "council", "bridge", "weather", "match", "figures"]
    rows = []
    for i in range(n):
        if i % 2 or positives_only:
            rows.append((f"you {rng.choice(rude)} {rng.choice(rude)} number {seed} {i}", 1))
        else:
            rows.append((f"the {rng.choice(calm)} report on the {rng.choice(calm)} {seed} {i}", 0))
    return rows


@pytest.fixture
def datasets(tmp_path):
    root = tmp_path / "datasets"
    _write_set(root / "fox_news" / "fox_news.csv", _synthetic(300, 1))
    _write_set(root / "tweets" / "tweets.csv", _synthetic(300, 2))
    civil = _synthetic(200, 3, positives_only=True)
    _write_set(root / "civil_toxic_spans" / "civil_toxic_spans.csv", civil)
    return root


def test_leave_one_out_measures_every_set_unseen_and_summarises(datasets, capsys):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "moderation", "eval", "--leave-one-out", "--datasets", str(datasets),
        stdout=out, stderr=err,
    )
    table = out.getvalue()
    for name in ("fox_news", "tweets", "civil_toxic_spans"):
        assert f"\n  {name} " in table
    assert "news-weighted mean" in table and "worst" in table
    assert "dev and test negatives of fox_news" in table
    assert "[3/3] without" in err.getvalue()  # progress, one line per set


def test_leave_one_out_pairs_a_positives_only_set_with_held_out_news_negatives(datasets):
    out = io.StringIO()
    call_command(
        "moderation", "eval", "--leave-one-out", "--sets", "civil_toxic_spans",
        "--datasets", str(datasets), "--json", stdout=out, stderr=io.StringIO(),
    )
    result = json.loads(out.getvalue())["leave_one_out"]
    row = result["sets"]["civil_toxic_spans"]
    assert list(result["sets"]) == ["civil_toxic_spans"]
    assert 0 < row["positives"] < row["rows"]  # negatives came from fox_news dev/test
    assert row["roc_auc"] > 0.9  # the synthetic insults are easy once seen elsewhere
    assert result["summary"]["worst_set"] == "civil_toxic_spans"
    assert len(result["data_version"]) == 64


def test_eval_without_a_dataset_or_a_measurement_says_what_to_give():
    with pytest.raises(CommandError, match="give --dataset FILE, or one of --leave-one-out"):
        call_command("moderation", "eval")


def test_eval_refuses_a_missing_datasets_folder(tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        call_command("moderation", "eval", "--leave-one-out", "--datasets", str(tmp_path / "x"))


def test_the_shipped_functional_cases_cover_every_category_twenty_times():
    cases = load_cases()
    counts = {c: sum(1 for x in cases if x.category == c) for c in CATEGORIES}
    assert set(counts) == {x.category for x in cases}
    assert min(counts.values()) >= 20
    assert {x.expected for x in cases} == {"hold", "pass"}


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "is not valid JSON"),
        ('{"cases": []}', 'has no "cases" list'),
        ('{"cases": [{"category": "x", "text": "t", "expected": "maybe"}]}', "case 1 expects"),
        ('{"cases": [{"category": "x", "expected": "hold"}]}', "case 1 needs a text"),
    ],
)
def test_a_bad_cases_file_is_refused_with_the_case_named(tmp_path, content, message):
    path = tmp_path / "cases.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CasesError, match=message):
        load_cases(path)


def test_judge_counts_a_case_right_when_held_exactly_if_expected_held():
    cases = [
        Case("a", "rude", "hold"),
        Case("a", "fine", "pass"),
        Case("b", "rude too", "hold"),
        Case("b", "fine too", "pass"),
    ]
    scores = {"rude": 0.9, "fine": 0.1, "rude too": 0.2, "fine too": 0.7}
    result = judge(cases, lambda texts: np.array([scores[t] for t in texts]), hold_at=0.5)
    assert result["categories"]["a"]["pass_rate"] == 1.0
    assert result["categories"]["b"]["pass_rate"] == 0.0
    assert result["pass_rate"] == 0.5
    assert {f["text"] for f in result["failures"]} == {"rude too", "fine too"}


def test_functional_eval_prints_a_pass_rate_per_category(tmp_path):
    out = io.StringIO()
    call_command("moderation", "eval", "--functional", stdout=out)
    printed = out.getvalue()
    for category in CATEGORIES:
        assert f"  {category} " in printed
    assert "ROC AUC" in printed
    assert CASES_FILE.is_file()


def test_span_f1_follows_the_semeval_definition():
    assert span_f1([], []) == 1.0
    assert span_f1([1, 2], []) == 0.0
    assert span_f1([], [1, 2]) == 0.0
    assert span_f1([1, 2, 3, 4], [3, 4, 5, 6]) == pytest.approx(0.5)
    assert span_f1(chars_of([(0, 5)]), chars_of([(0, 5)])) == 1.0
    assert mean_span_f1([[1], []], [[1], [2]]) == pytest.approx(0.5)


def test_hold_threshold_is_the_highest_that_keeps_the_slip_under_target():
    scores = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 0.9])
    labels = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    table = slip_table(scores, labels, np.ones(len(scores)))
    at = {row["t"]: row for row in table}
    assert at[0.3]["published"] == pytest.approx(3 / 8) and at[0.3]["slip"] == 0.0
    assert at[0.35]["slip"] == pytest.approx(1 / 4)
    chosen = hold_for_slip(table, 0.01)
    assert chosen["t"] == 0.3  # 0.31 would publish the abusive 0.3
    assert hold_for_slip(table, 0.25)["t"] == 0.6  # one abusive in five published


def test_weights_count_in_the_slip():
    scores = np.array([0.1, 0.2])
    labels = np.array([0, 1])
    row = next(r for r in slip_table(scores, labels, np.array([3.0, 1.0])) if r["t"] == 0.5)
    assert row["slip"] == pytest.approx(0.25) and row["published"] == 1.0


def test_the_auto_hold_threshold_follows_the_slip_target_setting():
    from broadsheet.moderation import thresholds

    strict, loose = thresholds.abuse_hold_for(0.005), thresholds.abuse_hold_for(0.05)
    assert strict <= thresholds.abuse_hold_for(0.01) <= loose
    assert thresholds.DEFAULT_THRESHOLDS["abuse"]["hold"] == thresholds.abuse_hold_for(0.01)


def test_identity_gap_compares_clean_comments_with_and_without_group_names():
    from broadsheet.moderation.management.abuse_reports import identity_gap

    texts = ["muslims celebrate eid", "the bridge reopened", "gay couple wins prize", "rain again"]
    result = identity_gap(texts, np.array([0, 0, 0, 0]), np.array([0.9, 0.1, 0.1, 0.1]), 0.5)
    assert result["with_identity_term"] == {"rows": 2, "held_share": 0.5}
    assert result["without"] == {"rows": 2, "held_share": 0.0}
    assert result["gap"] == 0.5


def test_gold_spans_are_the_characters_half_the_workers_marked(tmp_path):
    from broadsheet.moderation.ml.spans import load_gold

    root = tmp_path / "civil_toxic_spans"
    text = "you are a moron and a liar"
    write_rows(root / "comments.csv", ["comment_id", "comment_text"], [["7", text]])
    write_rows(
        root / "annotations.csv",
        ["annotation", "comment_id", "worker", "country", "all toxic", "not toxic"],
        [["1", "7", "a", "USA", "False", "False"], ["2", "7", "b", "USA", "False", "False"],
         ["3", "7", "c", "USA", "False", "False"]],
    )
    moron, liar = (10, 15), (22, 26)
    write_rows(
        root / "spans.csv", ["annotation", "type", "start", "end"],
        [["1", "Insult", *moron], ["2", "Insult", *moron], ["2", "Profane", *moron],
         ["3", "Insult", *liar]],
    )
    [(read_text, gold)] = load_gold(tmp_path, split="all")
    assert read_text == text
    assert gold == set(range(*moron))  # liar: one worker of three


def test_spans_eval_prints_the_character_f1(tmp_path):
    from broadsheet.moderation.ml.data import split_of

    root = tmp_path / "civil_toxic_spans"
    texts = [f"you are a moron number {i}" for i in range(200)]
    texts = [t for t in texts if split_of(t) == "test"][:5]
    write_rows(root / "comments.csv", ["comment_id", "comment_text"],
                [[str(i), t] for i, t in enumerate(texts)])
    write_rows(root / "annotations.csv", ["annotation", "comment_id", "worker"],
                [[str(i), str(i), "w"] for i in range(len(texts))])
    write_rows(root / "spans.csv", ["annotation", "type", "start", "end"],
                [[str(i), "Insult", "10", "15"] for i in range(len(texts))])
    out = io.StringIO()
    call_command("moderation", "eval", "--spans", "--datasets", str(tmp_path), "--json",
                 stdout=out, stderr=io.StringIO())
    spans = json.loads(out.getvalue())["spans"]
    assert spans["comments"] == len(texts) > 0
    assert 0.0 <= spans["char_f1"] <= 1.0


def test_experts_keep_the_sets_that_carry_to_the_others_and_never_see_a_left_out_set(datasets):
    from dataclasses import replace

    from broadsheet.moderation.ml.corpus import load_corpus
    from broadsheet.moderation.ml.experts import expert_rows
    from broadsheet.moderation.ml.training import RECIPES, feature_matrix, fit_on

    rng = random.Random(4)
    noise = [(f"the {w} said {i}", rng.randint(0, 1)) for i, w in
             enumerate(rng.choice(["idiot", "bridge", "council", "moron"]) for _ in range(300))]
    _write_set(datasets / "noise" / "noise.csv", noise)
    corpus = load_corpus(datasets)
    feats = feature_matrix(corpus.texts, RECIPES["v3"].cfg, lambda _m: None)
    recipe = replace(RECIPES["v3"], experts=2)
    parts = fit_on(corpus, feats, recipe)
    assert "noise" not in parts.info["chosen"]  # random labels carry to nothing
    assert len(parts.info["chosen"]) == 2
    without_fox = fit_on(corpus, feats, recipe, leave_out=("fox_news",))
    assert "fox_news" not in without_fox.info["chosen"]
    assert "fox_news" not in without_fox.info["transfer_dev_roc_auc"]
    rows, lenders = expert_rows(corpus, "civil_toxic_spans", recipe, ("fox_news",))
    assert "fox_news" not in lenders and not np.isin(corpus.names[rows], ["fox_news"]).any()
    always = fit_on(corpus, feats, replace(recipe, always=("noise",)))
    assert always.info["chosen"][0] == "noise"  # a site's own labels are always used
