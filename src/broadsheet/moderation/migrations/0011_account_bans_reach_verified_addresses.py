from django.db import migrations

from broadsheet.core.emails import mailbox_key


def reach_verified_addresses(apps, schema_editor):
    """Bans on accounts made before this migration reach the accounts' verified addresses,
    as the ban service makes them now."""
    ban_model = apps.get_model("moderation", "Ban")
    email_address = apps.get_model("account", "EmailAddress")
    for ban in ban_model.objects.filter(user__isnull=False, lifted_at__isnull=True):
        reached = {ban.email_key}
        addresses = email_address.objects.filter(user_id=ban.user_id, verified=True)
        for address in addresses.values_list("email", flat=True):
            address = address.strip().lower()
            key = mailbox_key(address)
            if key and key not in reached:
                reached.add(key)
                ban_model.objects.create(
                    email=address, email_key=key, account_ban=ban, expires_at=ban.expires_at,
                    note=ban.note, created_by_id=ban.created_by_id,
                )


class Migration(migrations.Migration):

    # Its own migration: on PostgreSQL the new column's index is made at the end of the
    # migration that adds it, which cannot follow rows written in the same transaction.
    dependencies = [
        ("moderation", "0010_ban_per_verified_address"),
        ("account", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(reach_verified_addresses, migrations.RunPython.noop),
    ]
