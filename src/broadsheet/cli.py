"""The `broadsheet` command: Django's management commands plus a few of our own.

    broadsheet migrate | createsuperuser | serve | worker | moderation eval ... | load_demo
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "broadsheet"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
