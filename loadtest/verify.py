# ruff: noqa: T201
"""After the load: what clients were told succeeded is in the database exactly once,
and nothing is half-written. Run with `manage.py shell -c "exec(open(...).read())"`;
LOADTEST_OUT is the results folder holding acks.json; writes verify.json there.
"""

import json
import os

from django.db.models import Count, Q

from courses.models import Enrolment, LessonPage, LessonProgress
from courses.selectors import lesson_quiz
from quizzes.models import Attempt

out = os.environ["LOADTEST_OUT"]
acks = json.load(open(f"{out}/acks.json"))
# Acknowledged writes of an earlier phase of the same run count as acknowledged.
for prior in filter(None, os.environ.get("LOADTEST_PRIOR_ACKS", "").split(",")):
    earlier = json.load(open(prior))
    acks["completions"] += earlier["completions"]
    acks["attempts"] += earlier["attempts"]
plan = json.load(open(os.environ["LOADTEST_PLAN"]))
user_ids = [t["id"] for t in plan["trainees"]]
problems = []

# 1. Acknowledged completions: exactly one completed progress row each.
acked_completions = {(u, lesson) for u, lesson in acks["completions"]}
missing_c = dup_c = 0
for u, lesson in sorted(acked_completions):
    n = LessonProgress.objects.filter(
        enrolment__learner_id=u,
        enrolment__withdrawn_at__isnull=True,
        lesson_id=lesson,
        completed_at__isnull=False,
    ).count()
    if n == 0:
        missing_c += 1
        problems.append(f"completion lost: learner {u} lesson {lesson}")
    elif n > 1:
        dup_c += 1
        problems.append(f"completion duplicated ({n}): learner {u} lesson {lesson}")
db_completions = set(
    LessonProgress.objects.filter(
        enrolment__learner_id__in=user_ids, completed_at__isnull=False
    ).values_list("enrolment__learner_id", "lesson_id")
)
unacked_completions = len(db_completions - acked_completions)

# 2. Acknowledged submissions: the attempt exists once, is the learner's, submitted.
acked_attempts = {(u, a) for u, a in acks["attempts"]}
missing_a = bad_a = 0
for u, pk in sorted(acked_attempts):
    a = Attempt.objects.filter(pk=pk).first()
    if a is None:
        missing_a += 1
        problems.append(f"attempt lost: {pk}")
    elif (
        a.learner_id != u
        or a.state == Attempt.State.IN_PROGRESS
        or a.submitted_at is None
    ):
        bad_a += 1
        problems.append(f"attempt {pk} not submitted in the database (state {a.state})")
attempts = Attempt.objects.filter(learner_id__in=user_ids)
dup_numbers = (
    attempts.values("learner", "quiz", "context", "number")
    .annotate(n=Count("pk"))
    .filter(n__gt=1)
    .count()
)
two_in_progress = (
    attempts.filter(state=Attempt.State.IN_PROGRESS)
    .values("learner", "quiz", "context")
    .annotate(n=Count("pk"))
    .filter(n__gt=1)
    .count()
)
half_graded = (
    attempts.filter(~Q(state=Attempt.State.IN_PROGRESS))
    .filter(
        Q(submitted_at__isnull=True) | Q(score__isnull=True, state=Attempt.State.GRADED)
    )
    .count()
)
if dup_numbers:
    problems.append(f"{dup_numbers} duplicated attempt numbers")
if two_in_progress:
    problems.append(f"{two_in_progress} learners with two attempts in progress")
if half_graded:
    problems.append(
        f"{half_graded} submitted attempts without submission time or score"
    )

# 3. Enrolment and progress consistency.
enrolments = Enrolment.objects.filter(learner_id__in=user_ids)
dup_enrol = (
    enrolments.filter(withdrawn_at__isnull=True)
    .values("learner", "course")
    .annotate(n=Count("pk"))
    .filter(n__gt=1)
    .count()
)
dup_progress = (
    LessonProgress.objects.filter(enrolment__in=enrolments)
    .values("enrolment", "lesson")
    .annotate(n=Count("pk"))
    .filter(n__gt=1)
    .count()
)
quiz_lessons = [
    lesson.pk
    for lesson in LessonPage.objects.all().specific()
    if lesson_quiz(lesson) is not None
]
done_without_quiz = LessonProgress.objects.filter(
    enrolment__in=enrolments,
    lesson_id__in=quiz_lessons,
    completed_at__isnull=False,
    quiz_passed_at__isnull=True,
).count()
passed_without_attempt = 0
for p in LessonProgress.objects.filter(
    enrolment__in=enrolments, quiz_passed_at__isnull=False
).select_related("enrolment"):
    if not attempts.filter(
        learner_id=p.enrolment.learner_id, lesson_id=p.lesson_id, passed=True
    ).exists():
        passed_without_attempt += 1
activity_without_start = enrolments.filter(
    last_activity_at__isnull=False, started_at__isnull=True
).count()
progress_not_started = (
    enrolments.filter(
        status=Enrolment.Status.NOT_STARTED, lesson_progress__isnull=False
    )
    .distinct()
    .count()
)
completed_inconsistent = enrolments.filter(
    Q(completed_at__isnull=False) & ~Q(status=Enrolment.Status.COMPLETED)
    | Q(completed_at__isnull=True) & Q(status=Enrolment.Status.COMPLETED)
).count()
for label, n in [
    ("duplicate active enrolments", dup_enrol),
    ("duplicate lesson progress rows", dup_progress),
    ("quiz lessons done without a passed quiz", done_without_quiz),
    ("quiz passed without a passed attempt", passed_without_attempt),
    ("enrolments with activity but no start", activity_without_start),
    ("enrolments 'not started' with progress", progress_not_started),
    ("enrolments whose status and completed_at disagree", completed_inconsistent),
]:
    if n:
        problems.append(f"{n} {label}")

result = {
    "acked_completions": len(acked_completions),
    "acked_completion_posts": len(acks["completions"]),
    "completions_missing": missing_c,
    "completions_duplicated": dup_c,
    "completions_in_db_not_acked": unacked_completions,
    "acked_attempts": len(acked_attempts),
    "attempts_missing": missing_a,
    "attempts_not_submitted": bad_a,
    "attempts_in_db": attempts.count(),
    "attempts_in_progress_left": attempts.filter(
        state=Attempt.State.IN_PROGRESS
    ).count(),
    "duplicate_attempt_numbers": dup_numbers,
    "duplicate_enrolments": dup_enrol,
    "duplicate_progress_rows": dup_progress,
    "problems": problems,
    "ok": not problems,
}
json.dump(result, open(f"{out}/verify.json", "w"), indent=1)
print(
    "verify:",
    "OK" if result["ok"] else f"{len(problems)} problem(s)",
    json.dumps({k: v for k, v in result.items() if k != "problems"}),
)
for p in problems[:20]:
    print("  -", p)
