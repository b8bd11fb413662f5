"""System checks (`broadsheet check`, run before every management command and at start-up)."""

from __future__ import annotations

import json

import numpy as np
from django.core.checks import Error


def pretrained_model_present(app_configs=None, **kwargs) -> list[Error]:
    """The shipped abuse model is fused with a pretrained one extracted at install time; without
    it every comment scan would fail, so say so before the site starts."""
    from broadsheet.moderation.ml.pretrained import INSTALL_HINT, pretrained_path
    from broadsheet.moderation.scanners.abuse import model_path

    try:
        with np.load(model_path(), allow_pickle=False) as data:  # reads only the small meta
            meta = json.loads(str(data["meta"])) if "meta" in data.files else {}
    except OSError:
        return []  # the scanner reports an unreadable model itself
    if not (meta.get("fusion") or {}).get("weight") or pretrained_path().exists():
        return []
    return [Error(f"the pretrained abuse model {pretrained_path()} is missing",
                  hint=INSTALL_HINT[0].upper() + INSTALL_HINT[1:], id="moderation.E001")]
