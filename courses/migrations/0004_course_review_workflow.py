"""A trainer submits course pages for review; an administrator approves them.

The workflow is assigned to the site's home page so it covers the whole course
tree (the catalogue page itself is created later, by the demo or an editor).
The group name matches accounts.roles.GROUP_NAMES["administrator"]; the accounts
roles migration get_or_creates the same group, so either may run first.
"""

from django.db import migrations

WORKFLOW_NAME = "Course review"
TASK_NAME = "Administrator approval"
ADMINISTRATOR_GROUP = "Quản trị"


def create_course_review_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Group = apps.get_model("auth.Group")
    Site = apps.get_model("wagtailcore.Site")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
    task.groups.add(group)

    workflow, _ = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        WorkflowPage.objects.update_or_create(
            page_id=site.root_page_id, defaults={"workflow": workflow}
        )


def remove_course_review_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore.Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    GroupApprovalTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_course_tree_enrolment_progress"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(
            create_course_review_workflow, remove_course_review_workflow
        )
    ]
