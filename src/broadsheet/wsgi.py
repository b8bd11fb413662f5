import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
django_application = get_wsgi_application()

from broadsheet.articles.page_cache import StoredPageShortcut  # noqa: E402 (needs setup)

application = StoredPageShortcut(django_application)
