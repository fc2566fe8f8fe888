"""Server time for a 30-question quiz: start, save a page, submit, show the result.

Runs in-process with Django's test Client against a temporary SQLite file, so
the figures are server time (views, templates, queries), without a network:

    .venv/bin/python bench/quizzes_bench.py [--rounds 20] [--questions 30]
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def check(condition, detail):
    if not condition:
        raise SystemExit(f"Unexpected response: {detail}")


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def setup_django(db_path: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Request logging would drown the figures.
    logging.disable(logging.INFO)


def build(questions: int):
    from wagtail.models import Site

    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from courses.services import enrol_learner
    from quizzes.importing import ensure_category
    from quizzes.models import Option, Question, Quiz, QuizSlot
    from tests.factories import UserFactory

    root = Site.objects.get(is_default_site=True).root_page.specific
    index = root.add_child(instance=CourseIndexPage(title="Khóa học", slug="khoa-hoc"))
    course = index.add_child(
        instance=CoursePage(title="Đo hiệu năng", slug="do-hieu-nang", summary="Đo.")
    )
    category = ensure_category(path="Đo/Hiệu năng")
    kinds = ["single", "multiple", "truefalse", "short", "matching", "ordering"]
    slots = []
    for i in range(questions):
        kind = kinds[i % len(kinds)]
        question = Question(
            category=category, type=kind, name=f"Câu {i}", text=f"Nội dung câu {i}"
        )
        if kind in ("single", "multiple"):
            question.options = [
                Option(
                    text=f"Lựa chọn {j}",
                    is_correct=j == 0 or (kind == "multiple" and j == 1),
                )
                for j in range(4)
            ]
        elif kind == "short":
            question.options = [Option(text=f"đáp án {i}", is_correct=True)]
        elif kind == "matching":
            question.options = [
                Option(text=f"Mục {j}", match_text=f"Ghép {j}") for j in range(4)
            ]
        elif kind == "ordering":
            question.options = [Option(text=f"Bước {j}") for j in range(4)]
        question.save()
        slots.append(QuizSlot(question=question, sort_order=i))
    quiz = Quiz(title="Đo hiệu năng", pass_mark=50)
    quiz.slots = slots
    quiz.save()
    lesson = course.add_child(
        instance=LessonPage(
            title="Bài đo",
            slug="bai-do",
            body=[{"type": "quiz", "value": {"quiz": quiz.pk, "introduction": ""}}],
        )
    )
    learner = UserFactory(email="bench@example.org")
    enrol_learner(learner=learner, course=course)
    return lesson, learner


def page_data(attempt, key):
    from tests.factories import answers_for

    data = answers_for(attempt)
    return {k: v for k, v in data.items() if k == key or k.startswith(key + "-")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from quizzes.models import Attempt
        from tests.factories import PASSWORD

        lesson, learner = build(args.questions)
        client = Client()
        client.login(email=learner.email, password=PASSWORD)
        times = {"start": [], "save page": [], "submit": [], "result": []}
        queries = {}

        def timed(name, call):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                response = call()
                times[name].append((time.perf_counter() - began) * 1000)
            queries[name] = len(ctx)
            return response

        start_url = reverse("quizzes:start_lesson_quiz", args=[lesson.pk])
        client.post(start_url)  # warm-up round, not counted
        warm = Attempt.objects.latest("pk")
        client.post(reverse("quizzes:attempt_submit", args=[warm.pk]))
        client.get(reverse("quizzes:attempt_result", args=[warm.pk]))

        for _round in range(args.rounds):
            response = timed("start", lambda: client.post(start_url))
            check(response.status_code == 302, response.status_code)
            attempt = Attempt.objects.latest("pk")
            for number, snapshot in enumerate(attempt.questions, start=1):
                url = reverse("quizzes:attempt_page", args=[attempt.pk, number])
                data = {**page_data(attempt, snapshot["key"]), "nav": "next"}
                response = timed("save page", lambda: client.post(url, data))  # noqa: B023
                check(response.status_code == 302, response.status_code)
            submit = reverse("quizzes:attempt_submit", args=[attempt.pk])
            response = timed("submit", lambda: client.post(submit))  # noqa: B023
            check(response.status_code == 302, response.status_code)
            result = reverse("quizzes:attempt_result", args=[attempt.pk])
            response = timed("result", lambda: client.get(result))  # noqa: B023
            check(response.status_code == 200, response.status_code)
            check(Attempt.objects.get(pk=attempt.pk).score == 100, "score")

        print(  # noqa: T201
            f"{args.questions} questions, {args.rounds} rounds, SQLite file, "
            "Django test Client (server time, ms)"
        )
        print(f"{'step':<10} {'median':>8} {'p95':>8} {'samples':>8} {'queries':>8}")  # noqa: T201
        for name, values in times.items():
            print(  # noqa: T201
                f"{name:<10} {statistics.median(values):8.1f} "
                f"{percentile(values, 0.95):8.1f} {len(values):8d} {queries[name]:8d}"
            )


if __name__ == "__main__":
    main()
