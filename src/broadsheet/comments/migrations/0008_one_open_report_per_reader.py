from django.db import migrations
from django.db.models import Q, UniqueConstraint


class Migration(migrations.Migration):
    # A migration of its own: on PostgreSQL the index cannot be built in the transaction that
    # closed the repeated reports.

    dependencies = [
        ("comments", "0007_report_reader_keys"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="report",
            constraint=UniqueConstraint(
                condition=Q(resolved_at__isnull=True) & ~Q(reporter_key=""),
                fields=("comment", "reporter_key"),
                name="one_open_report_per_reader",
            ),
        ),
    ]
