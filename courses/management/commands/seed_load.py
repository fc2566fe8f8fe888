"""A large, illustrative data set for load tests and the report benchmark."""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Agency, User
from courses.models import (
    CourseAssignment,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    HomePage,
    LessonPage,
    LessonProgress,
)

FAMILY = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
)
MIDDLE = "Văn Thị Minh Ngọc Đức Thanh Quốc Hữu Thu Hồng Xuân Anh".split()
GIVEN = (
    "An Bình Châu Dũng Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long "
    "Mai Nam Nga Phong Phúc Quân Quang Sơn Tâm Thảo Trang Trung Tuấn Vân Việt Yến"
).split()
POSITIONS = [
    "Chuyên viên",
    "Chuyên viên",
    "Chuyên viên chính",
    "Phó Trưởng phòng",
    "Trưởng phòng",
    "Chánh Văn phòng",
    "Phó Giám đốc",
    "Người phát ngôn",
    "Biên tập viên",
]
TOPICS = [
    "Kỹ năng phát ngôn",
    "Thông tin đối ngoại",
    "Họp báo định kỳ",
    "Thông cáo báo chí",
    "Làm việc với phóng viên nước ngoài",
    "Xử lý khủng hoảng truyền thông",
    "Tình hình Biển Đông",
    "Luật Báo chí 2025",
]
# How many courses a learner takes, and how their enrolments stand.
COURSES_PER_LEARNER = ([1, 2, 3, 4], [30, 35, 25, 10])
STATUSES = (
    [
        Enrolment.Status.NOT_STARTED,
        Enrolment.Status.IN_PROGRESS,
        Enrolment.Status.COMPLETED,
        Enrolment.Status.WITHDRAWN,
    ],
    [25, 35, 35, 5],
)


class Command(BaseCommand):
    help = (
        "Build a large illustrative data set quickly: agencies as a tree (with some "
        "merged), learners, courses as real pages, enrolments in every state and "
        "lesson progress. For load tests and bench/report_bench.py; refuses to run "
        "under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=1000)
        parser.add_argument("--agencies", type=int, default=100)
        parser.add_argument("--courses", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument(
            "--prefix",
            default="LOAD",
            help="Agency codes and e-mail addresses start with this.",
        )
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "seed_load fills the database with made-up people and refuses to "
                "run under production settings."
            )
        if options["agencies"] < 4 or options["courses"] < 1 or options["learners"] < 1:
            raise CommandError("Ask for at least 4 agencies, 1 course and 1 learner.")
        self.prefix = options["prefix"].upper()
        if Agency.objects.filter(code=self.prefix).exists():
            raise CommandError(
                f"Data with the prefix {self.prefix} is already loaded; "
                "use another --prefix or a fresh database."
            )
        self.rng = random.Random(options["seed"])  # noqa: S311 (made-up data)
        self.now = timezone.now()
        self.naive = connection.vendor == "sqlite"
        self.batch_size = options["batch_size"]
        started = time.perf_counter()
        with transaction.atomic():
            self._step("agencies", self.build_agencies, options["agencies"])
            self._step("courses", self.build_courses, options["courses"])
            self._step(
                "learners and enrolments", self.build_people, options["learners"]
            )
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would gather them later: without
            # them the planner guesses badly about a million new rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {self.counts['agencies']} agencies "
                f"({self.counts['merged']} merged), {self.counts['courses']} courses "
                f"with {self.counts['lessons']} lessons, {self.counts['learners']} "
                f"learners, {self.counts['enrolments']} enrolments and "
                f"{self.counts['progress']} lesson-progress rows in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )

    counts: dict

    def _step(self, name, build, size):
        self.counts = getattr(self, "counts", {})
        began = time.perf_counter()
        build(size)
        self.stdout.write(f"  {name}: {time.perf_counter() - began:.1f} s")

    def _days_ago(self, low, high):
        return self.now - timedelta(days=self.rng.uniform(low, high))

    # Agencies: province → departments, districts → offices, communes, a station.

    def build_agencies(self, total):
        p = self.prefix
        province = Agency.objects.create(
            code=p,
            name=f"Tỉnh {p.title()} (dữ liệu thử tải)",
            kind=Agency.Kind.PROVINCE,
        )
        departments = max(1, total * 3 // 100)
        districts = max(1, total * 6 // 100)
        top = Agency.objects.bulk_create(
            [
                Agency(
                    code=f"{p}-S{i:03d}",
                    name=f"Sở thử nghiệm số {i}",
                    kind=Agency.Kind.DEPARTMENT,
                    parent=province,
                )
                for i in range(1, departments + 1)
            ]
            + [
                Agency(
                    code=f"{p}-H{i:03d}",
                    name=f"Huyện thử nghiệm số {i}",
                    kind=Agency.Kind.DISTRICT,
                    parent=province,
                )
                for i in range(1, districts + 1)
            ]
        )
        district_list = [a for a in top if a.kind == Agency.Kind.DISTRICT]
        below = []
        remaining = total - 1 - len(top)
        for n in range(remaining):
            d = n % len(district_list)
            district = district_list[d]
            i = n // len(district_list) + 1
            # Names say which district they belong to, as real ones do.
            if i == 1:
                kind, name = Agency.Kind.BROADCAST, f"Đài Truyền thanh huyện {d + 1}"
            elif i == 2:
                kind, name = Agency.Kind.OFFICE, f"Phòng Văn hóa và Thông tin H{d + 1}"
            elif self.rng.random() < 0.25:
                kind, name = Agency.Kind.OFFICE, f"Phòng chuyên môn {d + 1}.{i}"
            else:
                kind, name = Agency.Kind.COMMUNE, f"Xã thử nghiệm {d + 1}.{i}"
            below.append(
                Agency(
                    code=f"{district.code}-{i:03d}",
                    name=name,
                    kind=kind,
                    parent=district,
                )
            )
        below = Agency.objects.bulk_create(below)
        # Some communes were merged into a neighbour (the 2025 reorganisation):
        # closed, pointing at their successor; their people moved there.
        communes = [a for a in below if a.kind == Agency.Kind.COMMUNE]
        self.merged = {}
        by_district = {}
        for commune in communes:
            by_district.setdefault(commune.parent_id, []).append(commune)
        for siblings in by_district.values():
            for commune in siblings[1:]:
                if self.rng.random() < 0.08:
                    commune.is_active = False
                    commune.replaced_by = siblings[0]
                    commune.closed_at = self.now - timedelta(days=150)
                    self.merged[commune.pk] = siblings[0].pk
        Agency.objects.bulk_update(
            [a for a in communes if a.pk in self.merged],
            ["is_active", "replaced_by", "closed_at"],
        )
        self.province = province
        active = [province, *top, *below]
        self.homes = [a.pk for a in active if a.pk not in self.merged]
        # Most people work in the units; some in the departments and districts.
        self.home_weights = [
            1
            if a.kind == Agency.Kind.PROVINCE
            else 6
            if a.parent_id == province.pk
            else 3
            for a in active
            if a.pk not in self.merged
        ]
        self.predecessors = {}
        for old, new in self.merged.items():
            self.predecessors.setdefault(new, []).append(old)
        self.counts["agencies"] = 1 + len(top) + len(below)
        self.counts["merged"] = len(self.merged)

    # Courses: real pages under the catalogue, through the page tree API.

    def build_courses(self, total):
        index = CourseIndexPage.objects.first()
        if index is None:
            home = HomePage.objects.first()
            if home is None:
                raise CommandError("No home page: run migrate first.")
            index = home.add_child(
                instance=CourseIndexPage(title="Khóa học", slug="khoa-hoc")
            )
        self.courses = []
        lessons_total = 0
        for i in range(1, total + 1):
            topic = TOPICS[(i - 1) % len(TOPICS)]
            course = index.add_child(
                instance=CoursePage(
                    title=f"{topic} ({self.prefix.lower()} {i:02d})",
                    slug=f"{self.prefix.lower()}-course-{i:02d}",
                    summary="Khóa học minh họa cho thử tải: nội dung do máy tạo.",
                    enrolment_mode=CoursePage.EnrolmentMode.ASSIGNED,
                    default_due_days=60,
                )
            )
            lessons = []
            for j in range(1, self.rng.randint(8, 12) + 1):
                lesson = course.add_child(
                    instance=LessonPage(
                        title=f"Bài {j}: {topic}",
                        slug=f"bai-{j}",
                        body=[
                            {
                                "type": "text",
                                "value": f"<p>Nội dung minh họa bài {j}.</p>",
                            }
                        ],
                        # The last lesson is further reading, not required.
                        is_required=j < 8 or self.rng.random() < 0.7,
                    )
                )
                lessons.append(lesson.pk)
            lessons_total += len(lessons)
            self.courses.append((course, lessons))
        self.assignments = {
            a.course_id: a
            for a in CourseAssignment.objects.bulk_create(
                [
                    CourseAssignment(
                        course=course,
                        agency=self.province,
                        due_at=self.now + timedelta(days=30),
                        created_at=self.now - timedelta(days=240),
                    )
                    for course, _lessons in self.courses
                ]
            )
        }
        self.counts["courses"] = total
        self.counts["lessons"] = lessons_total

    # People, enrolments and progress, a batch of learners at a time.
    #
    # These tables get a hundred thousand to a million rows. bulk_create spends
    # some 10 µs preparing each value in Python; _Rows hands plain tuples to the
    # driver's executemany in batches instead, several times faster. Users and
    # enrolments get their ids here, so progress rows can point at them.

    def build_people(self, total):
        self.counts.update(learners=0, enrolments=0, progress=0)
        users = _Rows(
            User,
            ["id", "email", "full_name", "position", "agency_id", "password"]
            + ["date_joined", "is_active"],
        )
        enrolments = _Rows(
            Enrolment,
            ["id", "learner_id", "course_id", "agency_id", "source", "assignment_id"]
            + ["enrolled_at", "due_at", "status", "started_at", "last_activity_at"]
            + ["completed_at", "withdrawn_at", "score"],
        )
        progress = _Rows(
            LessonProgress,
            ["enrolment_id", "lesson_id", "first_opened_at", "last_opened_at"]
            + ["completed_at"],
        )
        next_user = _next_id(User)
        next_enrolment = _next_id(Enrolment)
        self.password = UNUSABLE_PASSWORD_PREFIX + "seed"
        self.joined = self._db_time(self.now - timedelta(days=300))
        for start in range(0, total, self.batch_size):
            size = min(self.batch_size, total - start)
            user_rows, enrolment_rows, progress_rows = [], [], []
            for n in range(start, start + size):
                learner_id, home = next_user, self._home()
                next_user += 1
                user_rows.append(self._learner(n, learner_id, home))
                k = self.rng.choices(*COURSES_PER_LEARNER)[0]
                for course, lessons in self.rng.sample(
                    self.courses, min(k, len(self.courses))
                ):
                    row, times = self._enrolment(
                        next_enrolment, learner_id, home, course
                    )
                    enrolment_rows.append(row)
                    progress_rows.extend(
                        self._progress(next_enrolment, lessons, *times)
                    )
                    next_enrolment += 1
            users.insert(user_rows)
            enrolments.insert(enrolment_rows)
            progress.insert(progress_rows)
            self.counts["learners"] += len(user_rows)
            self.counts["enrolments"] += len(enrolment_rows)
            self.counts["progress"] += len(progress_rows)
        _reset_sequences([User, Enrolment])

    def _db_time(self, value):
        # SQLite stores UTC without an offset; other databases take aware values.
        return value.replace(tzinfo=None) if self.naive else value

    def _home(self):
        return self.rng.choices(self.homes, self.home_weights)[0]

    def _learner(self, n, pk, home):
        name = " ".join(
            (self.rng.choice(FAMILY), self.rng.choice(MIDDLE), self.rng.choice(GIVEN))
        )
        email = f"{self.prefix.lower()}-{n:06d}@example.org"
        position = self.rng.choice(POSITIONS)
        return (pk, email, name, position, home, self.password, self.joined, True)

    def _recorded_agency(self, home):
        """Mostly the learner's own; a merged predecessor's, or another agency's
        for someone who moved, now and then."""
        roll = self.rng.random()
        old = self.predecessors.get(home)
        if old and roll < 0.5:
            return self.rng.choice(old)
        if roll > 0.98:
            return self.rng.choice(self.homes)
        return home

    def _enrolment(self, pk, learner_id, home, course):
        status = self.rng.choices(*STATUSES)[0]
        enrolled = self._days_ago(5, 240)
        due = enrolled + timedelta(days=60) if self.rng.random() < 0.9 else None
        started = last = completed = withdrawn = score = None
        if status != Enrolment.Status.NOT_STARTED:
            span = (self.now - enrolled).total_seconds()
            started = enrolled + timedelta(seconds=span * self.rng.uniform(0, 0.2))
            last = started + timedelta(
                seconds=(self.now - started).total_seconds() * self.rng.random()
            )
        if status == Enrolment.Status.COMPLETED:
            completed = last
            if self.rng.random() < 0.8:
                score = Decimal(self.rng.randint(5000, 10000)) / 100
        elif status == Enrolment.Status.WITHDRAWN:
            withdrawn = last
        t = self._db_time
        row = (
            pk,
            learner_id,
            course.pk,
            self._recorded_agency(home),
            Enrolment.Source.AGENCY.value,
            self.assignments[course.pk].pk,
            t(enrolled),
            t(due) if due else None,
            status.value,
            t(started) if started else None,
            t(last) if last else None,
            t(completed) if completed else None,
            t(withdrawn) if withdrawn else None,
            score,
        )
        return row, (status, started, last)

    def _progress(self, enrolment_id, lessons, status, start, end):
        if status == Enrolment.Status.NOT_STARTED:
            return []
        if status == Enrolment.Status.COMPLETED:
            done = len(lessons)
        else:
            done = self.rng.randint(0, len(lessons) - 1)
        step = (end - start) / (done + 1)
        rows = []
        for i, lesson in enumerate(lessons[: done + 1]):
            when = self._db_time(start + step * (i + 1))
            rows.append((enrolment_id, lesson, when, when, when if i < done else None))
        return rows


class _Rows:
    """Insert many rows of one model through executemany (COPY on PostgreSQL): the
    columns named get the values given, every other column its model default."""

    def __init__(self, model, attnames):
        opts = model._meta
        named = [opts.get_field(name) for name in attnames]
        others = [
            f
            for f in opts.concrete_fields
            if f not in named and not (f.primary_key and f.attname not in attnames)
        ]
        self.tail = tuple(
            f.get_db_prep_save(f.get_default(), connection) for f in others
        )
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in named + others)
        marks = ", ".join(["%s"] * (len(named) + len(others)))
        # Names come from the model, values go as parameters.
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"

    def insert(self, rows, batch=5000):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # psycopg's COPY is several times faster than many INSERTs.
                with cursor.cursor.copy(self.copy) as copy:
                    for row in rows:
                        copy.write_row(row + self.tail)
                return
            for i in range(0, len(rows), batch):
                cursor.executemany(
                    self.sql, [row + self.tail for row in rows[i : i + batch]]
                )


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _reset_sequences(models) -> None:
    """After explicit ids, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
