import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
django_application = get_wsgi_application()

from broadsheet.reading.page_cache import StoredPageShortcut  # noqa: E402 (needs setup)

application = StoredPageShortcut(django_application)

# What is loaded by now lives as long as the process; frozen, the garbage collector's full
# passes no longer walk it on the requests that trigger them.
gc.freeze()
