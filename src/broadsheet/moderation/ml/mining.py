"""Non-abusive news-comment text mined from civil_toxic_spans' own comments.

civil_toxic_spans holds toxic news comments only, so a model trained on it with other sets'
negatives can learn "news-like text = abusive". But its workers marked *which* characters
made each comment toxic, and a long comment is often abusive in one sentence only. The
sentences in which no worker marked a single character, taken from comments that do have a
mark elsewhere, are the missing negatives: plain text written by the same news-site readers,
on the same stories, in the same register. With them the model has to learn which words
make a news comment abusive rather than that a text reads like one.

Each mined text keeps the split of its whole comment (``split_of`` of the comment), so no
sentence of a test comment is ever trained on. Variants: ``sentences`` (the unmarked
sentences, one row each) and ``remainder`` (the comment with every marked span cut out,
noisier: what is left of an abusive sentence may still carry its tone). Texts that contain a
lexicon insult or obscenity are dropped by default (a worker may have missed one).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from broadsheet.moderation.ml.data import split_of

SOURCE_SET = "civil_toxic_spans"
MINED_SET = "civil_span_free"
MODES = ("sentences", "remainder")

# A sentence ends at . ! ? (with any closing quote or bracket) before a space, or at a line
# break.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]\u201d\u2019]*)\s+|\s*\n\s*")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class MiningConfig:
    mode: str = "sentences"
    min_words: int = 6
    # Drop mined texts with a lexicon insult or obscenity (features.INSULTS).
    lexicon_filter: bool = True

    def to_dict(self) -> dict[str, str | int | bool]:
        return {"mode": self.mode, "min_words": self.min_words,
                "lexicon_filter": self.lexicon_filter}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of TEXT, surrounding space excluded."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start, m.start() + len(m.group(1) or "")))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _has_insult(text: str) -> bool:
    from broadsheet.moderation.ml.features import INSULTS, canonical, model_tokens

    return any(canonical(t) in INSULTS for t in model_tokens(text))


def _keep(text: str, cfg: MiningConfig) -> bool:
    if len(_WORD.findall(text)) < cfg.min_words:
        return False
    return not (cfg.lexicon_filter and _has_insult(text))


def mine_comment(text: str, marked: set[int], cfg: MiningConfig) -> list[str]:
    """The non-abusive texts mined from one comment whose workers marked the characters
    MARKED (any worker, any span type); nothing when no character is marked."""
    if not marked:
        return []
    if cfg.mode == "remainder":
        kept = "".join(" " if i in marked else ch for i, ch in enumerate(text))
        rest = " ".join(kept.split())
        return [rest] if _keep(rest, cfg) else []
    found = []
    for a, b in sentence_spans(text):
        if any(i in marked for i in range(a, b)):
            continue
        sentence = " ".join(text[a:b].split())
        if _keep(sentence, cfg):
            found.append(sentence)
    return found


def read_marks(root: Path) -> list[tuple[str, set[int]]]:
    """(comment text, characters any worker marked) of every comment in ROOT, the
    civil_toxic_spans folder (comments.csv, annotations.csv, spans.csv)."""
    with open(root / "comments.csv", encoding="utf-8", newline="") as fh:
        texts = {r["comment_id"]: r["comment_text"] for r in csv.DictReader(fh)}
    comment_of: dict[str, str] = {}
    with open(root / "annotations.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            comment_of[r["annotation"]] = r["comment_id"]
    marks: dict[str, set[int]] = defaultdict(set)
    with open(root / "spans.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            cid = comment_of.get(r["annotation"])
            if cid is not None:
                marks[cid].update(range(int(r["start"]), int(r["end"])))
    return [(text, marks.get(cid, set())) for cid, text in texts.items()]


@dataclass
class Mined:
    texts: list[str]
    splits: list[str]
    provenance: dict


def mine(
    comments: Iterable[tuple[str, set[int]]], cfg: MiningConfig, exclude: set[str] | None = None
) -> Mined:
    """Mined negatives of COMMENTS, each in its whole comment's split; a text mined twice,
    or one of EXCLUDE (texts already in the corpus), is kept once or not at all."""
    seen = set(exclude or ())
    texts, splits = [], []
    sources = 0
    for text, marked in comments:
        found = mine_comment(text, marked, cfg)
        sources += bool(found)
        split = split_of(text)
        for sentence in found:
            if sentence in seen:
                continue
            seen.add(sentence)
            texts.append(sentence)
            splits.append(split)
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
    provenance = {
        "file": f"mined from {SOURCE_SET} (ml/mining.py)",
        "sha256": digest,
        "rows": len(texts),
        "comments": sources,
        "mining": cfg.to_dict(),
    }
    for name in ("train", "dev", "test"):
        provenance[name] = splits.count(name)
    return Mined(texts, splits, provenance)


def mine_folder(datasets_dir: str | Path, cfg: MiningConfig, exclude: set[str]) -> Mined | None:
    """Mined negatives of the civil_toxic_spans folder under DATASETS_DIR, or None when it
    has no span files."""
    root = Path(datasets_dir) / SOURCE_SET
    if not (root / "spans.csv").is_file():
        return None
    return mine(read_marks(root), cfg, exclude)
