"""Trainers author the bank and quizzes and grade essays; administrators may do everything."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRAINER = "Giảng viên"
ADMINISTRATOR = "Quản trị"

TRAINER_PERMISSIONS = [
    "add_quiz", "change_quiz", "view_quiz",
    "add_question", "change_question", "delete_question", "view_question",
    "add_questioncategory", "change_questioncategory", "view_questioncategory",
    "add_quizoverride", "change_quizoverride", "view_quizoverride",
    "change_essayresponse", "view_essayresponse",
    "view_attempt", "view_regradelog",
]
MODELS = [
    "quiz", "question", "questioncategory", "quizoverride",
    "essayresponse", "regradelog", "attempt",
]
ADMINISTRATOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in MODELS
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    # In a fresh database Django creates permissions only after the last
    # migration; create this app's now so they can be granted.
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (
        (TRAINER, TRAINER_PERMISSIONS),
        (ADMINISTRATOR, ADMINISTRATOR_PERMISSIONS),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="quizzes", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=[TRAINER, ADMINISTRATOR]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="quizzes")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0003_attempts"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
