from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def newlines_only(apps, schema_editor):
    """Comments stored before line ends were normalised: \\r\\n and \\r become \\n."""
    Comment = apps.get_model("comments", "Comment")
    text = Replace(Replace("text", Value("\r\n"), Value("\n")), Value("\r"), Value("\n"))
    Comment.objects.filter(text__contains="\r").update(text=text)


class Migration(migrations.Migration):
    dependencies = [("comments", "0008_one_open_report_per_reader")]

    operations = [migrations.RunPython(newlines_only, migrations.RunPython.noop, elidable=True)]
