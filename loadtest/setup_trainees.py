# ruff: noqa: T201, S105  (the published demo password)
"""Create N load-test trainees through the real services and write the plan.

Run with `manage.py shell -c "exec(open('loadtest/setup_trainees.py').read())"`
under the PRODUCTION settings (so the password hash is the one gunicorn checks),
after load_demo_data has run under the dev settings against the same database.
Environment: LOADTEST_TRAINEES (default 50, at most 1000), LOADTEST_PLAN (output
JSON path).

The accounts share one hash of the published password: 1000 PBKDF2 hashes would
take some 4 minutes here. It is made by the default hasher with its iterations,
so a sign-in costs the server exactly what a real one does (and no re-hash).
"""

import json
import os
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo_data import ensure_demo_account
from accounts.models import Agency, User
from accounts.roles import TRAINEE
from courses.models import CoursePage, Enrolment
from courses.selectors import lesson_quiz
from courses.services import enrol_learner

N = int(os.environ.get("LOADTEST_TRAINEES", "50"))
if not 1 <= N <= 1000:
    raise SystemExit("setup_trainees: LOADTEST_TRAINEES must be 1 to 1000")
PASSWORD = "demo12345!"  # ensure_demo_account sets accounts.demo_data.DEMO_PASSWORD
PLAN = os.environ.get("LOADTEST_PLAN", "loadtest-plan.json")
SLUGS = ["thong-tin-doi-ngoai", "ky-nang-phat-ngon"]

agency = Agency.objects.filter(is_active=True).order_by("pk").first()
courses = [CoursePage.objects.live().get(slug=s).specific for s in SLUGS]
now = timezone.now()
plan = {"password": PASSWORD, "trainees": [], "courses": []}
for course in courses:
    lessons = []
    for lesson in course.lessons():
        lesson = lesson.specific
        lessons.append(
            {
                "id": lesson.pk,
                "url": lesson.url,
                "quiz": lesson_quiz(lesson) is not None,
                "required": bool(getattr(lesson, "is_required", True)),
            }
        )
    plan["courses"].append(
        {
            "id": course.pk,
            "slug": course.slug,
            "url": course.url,
            "sequential": bool(getattr(course, "is_sequential", False)),
            "lessons": lessons,
        }
    )
PASSWORD_HASH = make_password(PASSWORD)


def _set_shared_password(user, raw_password):
    user.password = PASSWORD_HASH
    user._password = None


real_set_password = User.set_password
User.set_password = _set_shared_password
try:
    for i in range(1, N + 1):
        email = f"load{i:03d}@loadtest.example.org"
        ensure_demo_account(
            email=email,
            full_name=f"Học viên tải {i:03d}",
            position="Chuyên viên",
            role=TRAINEE,
            agency_code=agency.code,
            superuser=False,
        )
finally:
    User.set_password = real_set_password
for i in range(1, N + 1):
    email = f"load{i:03d}@loadtest.example.org"
    user = User.objects.get(email=email)
    for course in courses:
        # Due in two days: the reminder fault test finds them "due soon".
        enrolment = enrol_learner(
            learner=user,
            course=course,
            source=Enrolment.Source.PERSONAL,
            due_at=now + timedelta(days=2),
        )
        if enrolment.due_at is None:
            Enrolment.objects.filter(pk=enrolment.pk).update(
                due_at=now + timedelta(days=2)
            )
    plan["trainees"].append({"email": email, "id": user.pk})
with open(PLAN, "w") as f:
    json.dump(plan, f, indent=1, ensure_ascii=False)
print(f"setup_trainees: {N} trainees, plan in {PLAN}")
for c in plan["courses"]:
    print(
        f"  {c['slug']} {c['url']} sequential={c['sequential']} "
        f"lessons={[(x['id'], x['quiz']) for x in c['lessons']]}"
    )
