from django.db import migrations

from accounts.roles import ADMINISTRATOR, AGENCY_MANAGER, grant_model_permissions


def grant_report_permission(apps, schema_editor):
    # The completion report opens for holders of courses.view_enrolment; which
    # rows they see is decided by accounts.permissions.
    for role in (ADMINISTRATOR, AGENCY_MANAGER):
        grant_model_permissions(role, "courses", ["view_enrolment"], apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("courses", "0006_certificates_reminders"),
    ]

    operations = [
        migrations.RunPython(grant_report_permission, migrations.RunPython.noop),
    ]
