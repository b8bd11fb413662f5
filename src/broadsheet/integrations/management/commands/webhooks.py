from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.integrations.models import EVENTS, WebhookEndpoint
from broadsheet.integrations.webhooks import WebhookError, endpoint_add, endpoint_remove


class Command(BaseCommand):
    help = "Register, list and remove webhook receivers."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="Register a receiver.")
        add.add_argument("url")
        add.add_argument("--secret", required=True, help="Signing key, 16 characters or more.")
        add.add_argument(
            "--events", nargs="+", default=[], metavar="EVENT",
            help=f"Events to send (default: all): {', '.join(EVENTS)}; space- or comma-separated.",
        )
        add.add_argument("--description", default="")
        verbs.add_parser("list", help="List the receivers.")
        remove = verbs.add_parser("remove", help="Remove a receiver by id or URL.")
        remove.add_argument("receiver", help="The id shown by `list`, or the URL.")

    def handle(self, *args, verb: str, **options) -> None:
        getattr(self, f"_{verb}")(**options)

    def _add(self, *, url: str, secret: str, events: list[str], description: str, **_) -> None:
        chosen = [part for item in events for part in item.split(",")]
        try:
            endpoint = endpoint_add(
                url=url, secret=secret, events=chosen, description=description
            )
        except WebhookError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Added webhook {endpoint.pk}: {endpoint.url} "
            f"({', '.join(endpoint.events) or 'all events'})"
        )

    def _list(self, **_) -> None:
        endpoints = list(WebhookEndpoint.objects.all())
        for endpoint in endpoints:
            state = "" if endpoint.active else " [inactive]"
            self.stdout.write(
                f"{endpoint.pk}\t{endpoint.url}\t{', '.join(endpoint.events) or 'all events'}"
                f"{state}"
            )
        self.stdout.write(f"{len(endpoints)} webhook receiver(s).")

    def _remove(self, *, receiver: str, **_) -> None:
        found = WebhookEndpoint.objects.filter(url=receiver)
        if receiver.isdigit():
            found = found | WebhookEndpoint.objects.filter(pk=int(receiver))
        endpoints = list(found)
        if not endpoints:
            raise CommandError(f"No webhook receiver {receiver!r}; see `broadsheet webhooks list`.")
        for endpoint in endpoints:
            endpoint_remove(endpoint=endpoint)
            self.stdout.write(f"Removed webhook {endpoint.pk}: {endpoint.url}")
