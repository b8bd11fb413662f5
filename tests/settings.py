"""The suite runs the real settings module in development mode."""

import os

os.environ.setdefault("BROADSHEET_DEV", "1")
os.environ.setdefault("BROADSHEET_HTTPS", "0")

from broadsheet.settings import *  # noqa: E402,F403
