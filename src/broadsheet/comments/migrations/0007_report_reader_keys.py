from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def key_reports_and_close_repeats(apps, schema_editor):
    """Give every report its reader's key; where one reader has several open reports on a
    comment, keep the first open and close the others as repeats, so the constraint holds."""
    Report = apps.get_model("comments", "Report")
    Comment = apps.get_model("comments", "Comment")
    Report.objects.filter(reporter__isnull=False).update(
        reporter_key=models.functions.Concat(
            models.Value("user:"), models.functions.Cast("reporter_id", models.CharField())
        )
    )
    Report.objects.filter(reporter__isnull=True).exclude(reporter_ip_hash="").update(
        reporter_key=models.functions.Concat(models.Value("ip:"), "reporter_ip_hash")
    )
    repeated = (
        Report.objects.filter(resolved_at__isnull=True).exclude(reporter_key="")
        .values("comment_id", "reporter_key").annotate(n=Count("id")).filter(n__gt=1)
    )
    now = timezone.now()
    touched = set()
    for group in repeated:
        open_reports = Report.objects.filter(
            comment_id=group["comment_id"], reporter_key=group["reporter_key"],
            resolved_at__isnull=True,
        ).order_by("created_at", "id")
        first = open_reports.first()
        open_reports.exclude(pk=first.pk).update(resolved_at=now, resolution="repeat")
        touched.add(group["comment_id"])
    for comment_id in touched:
        Comment.objects.filter(pk=comment_id).update(
            open_report_count=Report.objects.filter(
                comment_id=comment_id, resolved_at__isnull=True
            ).count()
        )


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0006_fewer_indexes_on_insert"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="reporter_key",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(key_reports_and_close_repeats, migrations.RunPython.noop),
    ]
