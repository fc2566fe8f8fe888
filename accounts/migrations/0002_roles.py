from django.db import migrations


def install_roles(apps, schema_editor):
    from accounts.roles import install_roles

    install_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        # The site's home page, under which trainers may add courses.
        ("courses", "0002_create_homepage"),
    ]

    operations = [
        migrations.RunPython(install_roles, migrations.RunPython.noop),
    ]
