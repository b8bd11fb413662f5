"""Extract the pretrained abuse model (cuss-inspect) into a numpy file at install time.

Run by ``make venv`` / ``make venv-dev`` as a plain script (standard library and numpy only, no
Django, no scikit-learn, no scipy)::

    python src/broadsheet/moderation/ml/pretrained_install.py [--dest DIR]

It downloads two pinned wheels with pip (``cuss-inspect``: the pickled TfidfVectorizer and
LogisticRegression; ``scikit-learn``: only for its English stop-word list, read as text), checks
their sha256, reads the pickles with a restricted unpickler that builds nothing but numpy arrays
and plain placeholder objects, and writes ``cuss-inspect.npz`` (terms, idf, coefficients,
intercept, stop words, the vectorizer's settings). The third-party weights are never in git and
never downloaded at run time. Does nothing when the file is already there.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

CUSS = ("cuss-inspect", "1.0.2b0", "cuss_inspect-1.0.2b0-py3-none-any.whl",
        "5adef3094820df66882b35bc2be6a74e6cd00a6b8e226d9658ee79f67c51e1a3")
VECTORIZER = "cuss_inspect/data/vectorizer_v4.lgst"
CLASSIFIER = "cuss_inspect/data/logitclf_v4.lgst"
# Any scikit-learn wheel carries the same English stop-word list (unchanged since 0.x); the
# version is pinned so the file read is always the same. Its sha256 depends on the platform
# wheel pip picks, so the list itself is checked instead (STOP_WORDS_SHA256).
SKLEARN = ("scikit-learn", "1.9.1")
STOP_WORDS_FILE = "sklearn/feature_extraction/_stop_words.py"
STOP_WORDS_SHA256 = "40e0a284c5b9a220efffd18d4d739fbd3270091d6ce2c75b6effe289d3be5487"

# The only classes the pickles may name. scikit-learn and scipy classes become placeholders
# that keep their pickled state; numpy's are needed to rebuild the arrays. Anything else stops.
_PLACEHOLDERS = {
    ("sklearn.feature_extraction.text", "TfidfVectorizer"),
    ("sklearn.feature_extraction.text", "TfidfTransformer"),
    ("sklearn.linear_model._logistic", "LogisticRegression"),
    ("scipy.sparse.csr", "csr_matrix"),
}
_NUMPY = {
    ("numpy", "dtype"), ("numpy", "ndarray"), ("numpy", "float64"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
}
_BUILTINS = {("builtins", "set"), ("builtins", "frozenset")}


class Placeholder:
    """Stands for a scikit-learn or scipy object: its pickled attributes, nothing else."""

    def __setstate__(self, state: object) -> None:
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("unexpected state for a placeholder object")
        self.__dict__.update(state)


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _PLACEHOLDERS:
            return type(name, (Placeholder,), {})
        if (module, name) in _NUMPY:
            return getattr(np, name) if module == "numpy" else _numpy_core(name)
        if (module, name) in _BUILTINS:
            return {"set": set, "frozenset": frozenset}[name]
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _numpy_core(name: str) -> object:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray  # type: ignore[no-redef]
    return getattr(multiarray, name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _download(spec: str, cache: Path, *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--dest", str(cache), *extra, spec], check=True)


def stop_words_from_wheel(wheel: Path) -> list[str]:
    """ENGLISH_STOP_WORDS from the wheel's source, read with ast (nothing is imported)."""
    with zipfile.ZipFile(wheel) as z:
        tree = ast.parse(z.read(STOP_WORDS_FILE).decode("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ENGLISH_STOP_WORDS" for t in node.targets
        ):
            call = node.value
            if isinstance(call, ast.Call) and call.args:
                words = sorted(ast.literal_eval(call.args[0]))
                digest = hashlib.sha256("\n".join(words).encode()).hexdigest()
                if digest != STOP_WORDS_SHA256:
                    raise SystemExit(f"unexpected stop-word list in {wheel.name} ({digest})")
                return words
    raise SystemExit(f"no ENGLISH_STOP_WORDS in {wheel.name}")


def extract(cuss_wheel: Path, stop_words: list[str]) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(cuss_wheel) as z:
        vec = RestrictedUnpickler(z.open(VECTORIZER)).load()
        clf = RestrictedUnpickler(z.open(CLASSIFIER)).load()
    tfidf = vec._tfidf
    vocab: dict[str, int] = vec.vocabulary_
    terms = sorted(vocab, key=vocab.__getitem__)
    idf = np.asarray(tfidf._idf_diag.data, dtype=np.float64).ravel()
    coef = np.asarray(clf.coef_, dtype=np.float64).ravel()
    if not (len(terms) == len(idf) == len(coef)):
        raise SystemExit("vocabulary, idf and coefficients differ in length")
    settings = {k: getattr(vec, k) for k in (
        "lowercase", "strip_accents", "token_pattern", "stop_words", "analyzer")}
    settings.update(ngram_range=list(vec.ngram_range), norm=tfidf.norm,
                    use_idf=tfidf.use_idf, sublinear_tf=tfidf.sublinear_tf,
                    package=f"{CUSS[0]}=={CUSS[1]}", wheel_sha256=CUSS[3])
    return {
        "terms": np.array(terms), "idf": idf.astype(np.float32), "coef": coef.astype(np.float32),
        "intercept": np.asarray(clf.intercept_, dtype=np.float64).ravel()[:1].reshape(()),
        "stop_words": np.array(stop_words), "settings": np.array(json.dumps(settings)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=str(Path(sys.prefix) / "share/broadsheet/pretrained"))
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    out = dest / "cuss-inspect.npz"
    if out.exists():
        return 0
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        cache = Path(tmp)
        _download(f"{CUSS[0]}=={CUSS[1]}", cache)
        wheel = cache / CUSS[2]
        if _sha256(wheel) != CUSS[3]:
            raise SystemExit(f"{wheel.name}: sha256 {_sha256(wheel)}, expected {CUSS[3]}")
        _download(f"{SKLEARN[0]}=={SKLEARN[1]}", cache, "--only-binary=:all:")
        sk_wheel = next(cache.glob("scikit_learn-*.whl"))
        arrays = extract(wheel, stop_words_from_wheel(sk_wheel))
        partial = dest / "cuss-inspect.partial.npz"
        np.savez_compressed(partial, **arrays)  # type: ignore[arg-type]
        partial.replace(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
