"""The `broadsheet` command: Django's management commands plus a few of our own.

    broadsheet migrate | createsuperuser | serve | worker | moderation eval ... | load_demo
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "broadsheet"
    try:
        # Read the settings here so a missing or malformed variable is reported as one
        # line an operator can act on, not as a traceback from deep inside Django.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.stderr.write(f"broadsheet: configuration error: {error}\n")
        raise SystemExit(2) from None
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
