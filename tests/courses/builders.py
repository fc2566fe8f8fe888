"""Page and people builders for the course tests (tests/factories.py is accounts')."""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import GROUP_NAMES
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage

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
