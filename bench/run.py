"""Benchmark the learner's pages against a plain Wagtail page, in one run.

    .venv/bin/python bench/run.py [--requests 300] [--learners 10000]

Builds a throwaway SQLite database (20 courses x 12 lessons, 10,000 learners
with enrolments and progress, bulk-inserted), then times the lesson page, the
course page and My learning with Django's test Client against a plain page
with a rich-text body at the same depth. Requests are interleaved round by
round so that machine noise hits every page alike; the lesson requests rotate
through learners and lessons, so they include the progress writes a real visit
makes. Prints a table (wall and CPU time, queries); exits 1 when a target is
missed.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSES = 20
LESSONS = 12
ENROLMENTS_PER_LEARNER = 3
TARGETS = {  # page: (max ratio of median time to the plain page, max extra queries)
    "lesson page": (1.4, 3),
    "course page": (1.35, 3),
    "My learning": (1.5, None),
}

PARAGRAPH = (
    "<p>Người phát ngôn cung cấp thông tin chính xác, kịp thời cho báo chí, nói rõ "
    "điều gì đã được xác nhận và ai xác nhận, hẹn thời điểm có thông tin tiếp theo. "
    "Không suy đoán, không vượt thẩm quyền, không nói “miễn bình luận”.</p>"
)
ITEMS = ["Chuẩn bị thông điệp chính", "Kiểm tra số liệu", "Thống nhất hai ngôn ngữ"]


def lesson_body():
    return [
        {"type": "heading", "value": {"text": "Chuẩn bị", "level": "h2"}},
        {"type": "text", "value": PARAGRAPH * 3},
        {
            "type": "key_message",
            "value": {"title": "", "text": "Nói điều đã xác nhận."},
        },
        {"type": "do_dont", "value": {"dos": ITEMS, "donts": ITEMS}},
        {
            "type": "checklist",
            "value": {"title": "Trước khi gặp báo chí", "items": ITEMS},
        },
        {"type": "text", "value": PARAGRAPH * 2},
    ]


def plain_body():
    items = "".join(f"<li>{item}</li>" for item in ITEMS)
    return (
        "<h2>Chuẩn bị</h2>" + PARAGRAPH * 3 + "<p><b>Nói điều đã xác nhận.</b></p>"
        f"<ul>{items}</ul><ul>{items}</ul><h3>Trước khi gặp báo chí</h3>"
        f"<ul>{items}</ul>" + PARAGRAPH * 2
    )


def setup_django(database: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


def build(learner_count: int, rng: random.Random):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from wagtail.models import Site

    from accounts.models import Agency, User
    from bench.models import PlainPage
    from courses.models import (
        CourseIndexPage,
        CoursePage,
        Enrolment,
        LessonPage,
        LessonProgress,
    )

    home = Site.objects.get(is_default_site=True).root_page.specific
    index = home.add_child(instance=CourseIndexPage(title="Khóa học", slug="khoa-hoc"))
    courses, lessons = [], {}
    for c in range(COURSES):
        course = index.add_child(
            instance=CoursePage(
                title=f"Khóa học {c + 1}", slug=f"c{c + 1}", summary="…"
            )
        )
        courses.append(course)
        lessons[course.pk] = [
            course.add_child(
                instance=LessonPage(
                    title=f"Bài {n + 1}", slug=f"l{n + 1}", body=lesson_body()
                )
            )
            for n in range(LESSONS)
        ]
    # The baseline sits at the lesson's depth: home / a / b / page.
    plain_a = home.add_child(instance=PlainPage(title="A", slug="a", body=""))
    plain_b = plain_a.add_child(instance=PlainPage(title="B", slug="b", body=""))
    plain = plain_b.add_child(
        instance=PlainPage(title="Trang thường", slug="trang", body=plain_body())
    )

    agencies = Agency.objects.bulk_create(
        [Agency(code=f"B-{i}", name=f"Cơ quan {i}") for i in range(40)]
    )
    password = make_password("bench-password")
    User.objects.bulk_create(
        [
            User(
                email=f"learner{i}@example.org",
                full_name=f"Học viên {i}",
                agency=agencies[i % len(agencies)],
                password=password,
            )
            for i in range(learner_count)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    users = list(User.objects.values_list("pk", "agency_id"))
    enrolments = []
    for pk, agency_id in users:
        for course in rng.sample(courses, ENROLMENTS_PER_LEARNER):
            enrolments.append(
                Enrolment(
                    learner_id=pk,
                    course_id=course.pk,
                    agency_id=agency_id,
                    source=Enrolment.Source.SELF,
                    enrolled_at=now - timedelta(days=30),
                    due_at=now + timedelta(days=rng.randint(-10, 30)),
                )
            )
    Enrolment.objects.bulk_create(enrolments, batch_size=5000)
    progress, done_enrolments, started = [], [], []
    for enrolment in Enrolment.objects.only("pk", "course_id").iterator(2000):
        done = rng.randint(0, LESSONS)
        if done:
            started.append(enrolment.pk)
        if done == LESSONS:
            done_enrolments.append(enrolment.pk)
        opened = now - timedelta(days=rng.randint(1, 20))
        for lesson in lessons[enrolment.course_id][:done]:
            progress.append(
                LessonProgress(
                    enrolment_id=enrolment.pk,
                    lesson_id=lesson.pk,
                    first_opened_at=opened,
                    last_opened_at=opened,
                    completed_at=opened,
                )
            )
    LessonProgress.objects.bulk_create(progress, batch_size=5000)
    old = now - timedelta(days=1)
    for start in range(0, len(started), 900):
        Enrolment.objects.filter(pk__in=started[start : start + 900]).update(
            status=Enrolment.Status.IN_PROGRESS, started_at=old, last_activity_at=old
        )
    for start in range(0, len(done_enrolments), 900):
        Enrolment.objects.filter(pk__in=done_enrolments[start : start + 900]).update(
            status=Enrolment.Status.COMPLETED, completed_at=old
        )
    return {
        "courses": courses,
        "lessons": lessons,
        "plain": plain,
        "counts": (
            User.objects.count(),
            Enrolment.objects.count(),
            LessonProgress.objects.count(),
        ),
    }


def measure(site, requests: int, pool: int, rng: random.Random):
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from courses.models import Enrolment

    course = site["courses"][0]
    lessons = site["lessons"][course.pk]
    learner_ids = list(
        Enrolment.objects.filter(course=course, completed_at__isnull=True)
        .values_list("learner_id", flat=True)
        .order_by("learner_id")[:pool]
    )
    clients = []
    for learner in User.objects.filter(pk__in=learner_ids):
        client = Client()
        client.force_login(learner)
        clients.append(client)

    def lesson_url(_):
        return rng.choice(lessons).url

    pages = {
        "plain page": lambda _: site["plain"].url,
        "lesson page": lesson_url,
        "course page": lambda _: course.url,
        "My learning": lambda _: "/my-learning/",
    }
    times = {name: [] for name in pages}
    cpu = {name: [] for name in pages}
    queries = {name: [] for name in pages}
    for round_ in range(-20, requests):  # 20 warm-up rounds, not recorded
        client = clients[round_ % len(clients)]
        for name, url in pages.items():
            target = url(round_)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(target)
                elapsed = time.perf_counter() - start
                elapsed_cpu = time.process_time() - start_cpu
            if response.status_code != 200:
                raise SystemExit(f"{name} {target}: HTTP {response.status_code}")
            if round_ >= 0:
                times[name].append(elapsed * 1000)
                cpu[name].append(elapsed_cpu * 1000)
                queries[name].append(len(ctx.captured_queries))
    return times, cpu, queries


def p95(values):
    return statistics.quantiles(values, n=20)[-1]


def report(times, cpu, queries):
    plain_cpu = statistics.median(cpu["plain page"])
    plain_queries = statistics.median(queries["plain page"])
    header = (
        f"{'page':<12} {'wall med':>8} {'wall p95':>8} {'cpu med':>7} {'cpu p95':>7} "
        f"{'x plain':>7} {'queries':>7} {'+q med':>6} {'+q max':>6}  target"
    )
    rows = [header, "-" * len(header)]
    failed = False
    for name in times:
        ratio = statistics.median(cpu[name]) / plain_cpu
        q_med = statistics.median(queries[name])
        extra_med = q_med - plain_queries
        extra_max = max(queries[name]) - plain_queries
        q_text = (
            f"{min(queries[name])}-{max(queries[name])}"
            if min(queries[name]) != max(queries[name])
            else str(max(queries[name]))
        )
        target = ""
        if name in TARGETS:
            max_ratio, max_extra = TARGETS[name]
            ok = ratio <= max_ratio and (max_extra is None or extra_med <= max_extra)
            failed |= not ok
            limit = f"<= {max_ratio}x" + (f", <= +{max_extra} q" if max_extra else "")
            target = f"{limit}  {'ok' if ok else 'MISSED'}"
        wall_median = statistics.median(times[name])
        rows.append(
            f"{name:<12} {wall_median:>8.1f} {p95(times[name]):>8.1f} "
            f"{statistics.median(cpu[name]):>7.1f} {p95(cpu[name]):>7.1f} "
            f"{ratio:>7.2f} {q_text:>7} {extra_med:>+6.0f} {extra_max:>+6.0f}  {target}"
        )
    return "\n".join(rows), failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=25, help="signed-in learners")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - sampling, not secrets
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="spokes-bench-") as tmp:
        started = time.perf_counter()
        setup_django(Path(tmp) / "bench.sqlite3")
        site = build(args.learners, rng)
        users, enrolments, progress = site["counts"]
        out.write(
            f"Built in {time.perf_counter() - started:.0f} s: {COURSES} courses x "
            f"{LESSONS} lessons, {users} learners, {enrolments} enrolments, "
            f"{progress} lesson progress rows (SQLite, {tmp}).\n"
        )
        times, cpu, queries = measure(site, args.requests, args.pool, rng)
        table, failed = report(times, cpu, queries)
        out.write(
            f"{args.requests} requests per page, interleaved, {args.pool} learners; "
            "server time in-process (Django test Client, force_login), in ms.\n"
            "Ratios use CPU time (time.process_time): the machine is shared, and "
            "wall time there counts other processes' turns. Extra queries: median "
            "(max is a first visit: the progress row is inserted).\n"
        )
        out.write(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
