from django.db import migrations

REASONS = [
    ("off-topic", "Off-topic", True),
    ("abusive", "Abusive", True),
    ("personal-attack", "Personal attack", True),
    ("spam", "Spam or advertising", True),
    ("legal-risk", "Legal risk", True),
    ("other", "Other", True),
    ("banned", "Banned commenter", False),
]


def add_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("moderation", "RejectionReason")
    for position, (slug, label, active) in enumerate(REASONS):
        RejectionReason.objects.get_or_create(
            slug=slug, defaults={"label": label, "active": active, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
