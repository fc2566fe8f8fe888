"""Factories and builders shared by every app's tests: people, agencies, pages,
questions and quizzes."""

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import GROUP_NAMES, TRAINEE, set_role
from accounts.services import ensure_primary_email
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from quizzes.models import Option, Question, Quiz, QuizSlot, RubricCriterion

PASSWORD = "correct horse 42"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    kind = Agency.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified address and a known password, in the role given."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    position = "Chuyên viên"
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            set_role(user=obj, role=extracted or TRAINEE)
            ensure_primary_email(user=obj, verified=True)


# Builders ------------------------------------------------------------

_seq = itertools.count(1)


def make_agency(code=None, *, parent=None, kind=Agency.Kind.OFFICE, name=None):
    code = code or f"C-{next(_seq):04d}"
    return Agency.objects.create(
        code=code, name=name or f"Đơn vị {code}", kind=kind, parent=parent
    )


def make_user(email=None, *, agency=None, role=None, **extra):
    email = email or f"person{next(_seq)}@example.org"
    user = User.objects.create_user(
        email=email,
        password="pw-for-tests",
        full_name=f"Người {email}",
        agency=agency,
        **extra,
    )
    if role:
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        user.groups.add(group)
    return user


def make_index(parent, **kwargs):
    kwargs.setdefault("title", "Khóa học")
    kwargs.setdefault("slug", "courses")
    return parent.add_child(instance=CourseIndexPage(**kwargs))


def make_course(index, *, lessons=2, **kwargs):
    n = next(_seq)
    kwargs.setdefault("title", f"Khóa học {n}")
    kwargs.setdefault("slug", f"course-{n}")
    kwargs.setdefault("summary", "Nội dung minh họa.")
    course = index.add_child(instance=CoursePage(**kwargs))
    for i in range(1, lessons + 1):
        make_lesson(course, title=f"Bài {i}", slug=f"lesson-{i}")
    return course


def make_module(course, **kwargs):
    n = next(_seq)
    kwargs.setdefault("title", f"Phần {n}")
    kwargs.setdefault("slug", f"module-{n}")
    return course.add_child(instance=ModulePage(**kwargs))


def make_lesson(parent, **kwargs):
    n = next(_seq)
    kwargs.setdefault("title", f"Bài học {n}")
    kwargs.setdefault("slug", f"lesson-{n}")
    kwargs.setdefault(
        "body",
        [{"type": "text", "value": f"<p>Nội dung bài {n}.</p>"}],
    )
    return parent.add_child(instance=LessonPage(**kwargs))


def lessons_of(course):
    return list(course.lessons())


def days(n):
    return timezone.now() + timedelta(days=n)


def make_question(category, type, *, options=(), rubric=(), **fields):
    """options: (text, is_correct) pairs, or dicts of Option fields."""
    fields.setdefault("name", f"Câu hỏi {next(_seq)}")
    fields.setdefault("text", f"Nội dung câu hỏi {fields['name']}")
    question = Question(category=category, type=type, **fields)
    question.options = [
        Option(
            sort_order=i,
            **(o if isinstance(o, dict) else {"text": o[0], "is_correct": o[1]}),
        )
        for i, o in enumerate(options)
    ]
    question.rubric_criteria = [
        RubricCriterion(sort_order=i, title=t, points=Decimal(p), description=d)
        for i, (t, p, d) in enumerate(rubric)
    ]
    question.save()
    return question


def make_quiz(questions=(), *, random_from=None, draw=1, **fields):
    fields.setdefault("title", f"Bài kiểm tra {next(_seq)}")
    fields.setdefault("shuffle_options", True)
    quiz = Quiz(**fields)
    slots = [QuizSlot(question=q, sort_order=i) for i, q in enumerate(questions)]
    if random_from is not None:
        slots.append(
            QuizSlot(category=random_from, draw_count=draw, sort_order=len(slots))
        )
    quiz.slots = slots
    quiz.save()
    return quiz


def set_lesson_quiz(lesson, quiz):
    lesson.body = [
        {"type": "text", "value": "<p>Nội dung bài học.</p>"},
        {"type": "quiz", "value": {"quiz": quiz.pk, "introduction": "Kiểm tra nhanh."}},
    ]
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


def answers_for(attempt, *, right=True):
    """POST data answering every question of an attempt from its snapshot."""
    data = {}
    for snap in attempt.questions:
        key = snap["key"]
        options = snap["options"]
        if snap["type"] in ("single", "truefalse"):
            pick = [o for o in options if (Decimal(o["credit"]) == 100) == right]
            data[key] = pick[0]["token"]
        elif snap["type"] == "multiple":
            data[key] = [
                o["token"] for o in options if (Decimal(o["credit"]) > 0) == right
            ]
        elif snap["type"] == "short":
            data[key] = options[0]["text"] if right else "sai"
        elif snap["type"] == "matching":
            choices = [c["token"] for c in snap["choices"]]
            for o in options:
                wrong = next(c for c in choices if c != o["match"])
                data[f"{key}-{o['token']}"] = o["match"] if right else wrong
        elif snap["type"] == "ordering":
            order = snap["correct_order"]
            n = len(order)
            for place, token in enumerate(order, start=1):
                data[f"{key}-{token}"] = str(place if right else n + 1 - place)
        elif snap["type"] == "essay":
            data[key] = "Sở Thông tin và Truyền thông xác nhận thông tin."
    return data
