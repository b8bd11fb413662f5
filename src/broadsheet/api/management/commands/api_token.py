"""Issue a staff API token: `broadsheet api_token <username>`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.api.auth import STAFF_TOKEN_MAX_AGE, staff_token_create


class Command(BaseCommand):
    help = (
        "Print an API token for a staff account. It works for "
        f"{STAFF_TOKEN_MAX_AGE.days} days; changing the account's password revokes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        account = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if account is None:
            raise CommandError(f'There is no account "{username}".')
        if not (account.is_active and account.is_staff):
            raise CommandError(
                f'"{username}" is not an active staff account; the API would refuse its token.'
            )
        self.stdout.write(staff_token_create(user=account))
        self.stderr.write(
            f"Send it as 'Authorization: Bearer <token>'. Valid {STAFF_TOKEN_MAX_AGE.days} days."
        )
