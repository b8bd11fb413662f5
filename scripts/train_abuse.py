#!/usr/bin/env python3
"""Train the abuse model shipped with the abuse scanner (the same as `broadsheet moderation
train`, without Django). See broadsheet.moderation.ml.shipping for what it does.

    python scripts/train_abuse.py                       # ../shared/datasets, the shipped recipe
    python scripts/train_abuse.py --datasets /work/shared/datasets --no-save
    python scripts/train_abuse.py --with var/labels/desk_abuse.csv   # + the desk's labels
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from broadsheet.moderation.ml.shipping import main  # noqa: E402


def _default_datasets() -> str:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "datasets").is_dir():
            return str(base / "shared" / "datasets")
    return str(ROOT.parent / "shared" / "datasets")


if __name__ == "__main__":
    main(default_datasets=_default_datasets())
