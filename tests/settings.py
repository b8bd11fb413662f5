"""The suite runs the real settings module in development mode."""

import os

os.environ.setdefault("BROADSHEET_DEV", "1")
os.environ.setdefault("BROADSHEET_HTTPS", "0")
# No background sweeps in the suite: a test that wants one calls it.
os.environ.setdefault("BROADSHEET_SWEEP_EVERY_SECONDS", "0")

from broadsheet.settings import *  # noqa: E402,F403

if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    import tempfile

    # A file, not shared-cache memory: background threads then wait on the write lock the way
    # production does (busy_timeout) instead of failing with "database table is locked".
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"broadsheet-test-{os.getpid()}.sqlite3")
    }

# Uploads (the demo's pictures, the image tests) go to a folder of the run's own, never the
# developer's data folder.
import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="broadsheet-test-media-"))  # noqa: F405
# So is allauth's rate-limit folder (the suite clears it between tests).
if "allauth-rate-limits" in CACHES:  # noqa: F405
    CACHES["allauth-rate-limits"]["LOCATION"] = tempfile.mkdtemp(  # noqa: F405
        prefix="broadsheet-test-rate-limits-"
    )

# Threads the tests start (live server, workers) must not keep connections past their work,
# or the test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
