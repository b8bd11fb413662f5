"""Create the provider's database, its people and Broadsheet's client registration."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from tests.oidc_provider.validator import PEOPLE  # noqa: E402

client_id, client_secret, redirect_uri = sys.argv[1:4]
call_command("migrate", verbosity=0)
for username in PEOPLE:
    get_user_model().objects.create_user(username, f"{username}@newsroom.example", "unused")
Application.objects.create(
    name="Broadsheet",
    client_id=client_id,
    client_secret=client_secret,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=redirect_uri,
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
print("prepared")
