"""Completion by agency: counts, roll-up, merged agencies, scoping, drill-down,
chart and query bounds."""

import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Agency
from accounts.roles import (
    ADMINISTRATOR,
    AGENCY_MANAGER,
    TRAINER,
    grant_model_permissions,
)
from accounts.services import merge_agency
from courses.models import Enrolment
from courses.permissions import enrolments_visible_to
from courses.services import (
    assign_course_to_agency,
    complete_lesson,
    enrol_learner,
    open_lesson,
    record_quiz_result,
    withdraw_enrolment,
)
from quizzes.models import Quiz
from reports.charts import completion_bar_chart
from reports.queries import (
    OTHER,
    CompletionFilters,
    CompletionReport,
    median_of_histogram,
)
from tests.factories import AgencyFactory, UserFactory, make_course, make_index

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/completion/"
NOW = timezone.now()


@contextmanager
def days_ago(n):
    """Run the services as if it were n days ago."""
    with mock.patch("django.utils.timezone.now", return_value=NOW - timedelta(days=n)):
        yield


def _finish(enrolment, course, *, score=None, quiz=None):
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    if score is not None:
        record_quiz_result(enrolment=enrolment, quiz=quiz, passed=True, score=score)


def grant_report_permission():
    """The report needs courses.view_enrolment; the role migration does not grant it."""
    for role in (ADMINISTRATOR, AGENCY_MANAGER):
        grant_model_permissions(role, "courses", ["view_enrolment"])


def build_world(site_root):
    """Province P → district D (office O, radio R, commune C merged into O later),
    department S, district X. The course is assigned; the optional one is not."""
    province = AgencyFactory(code="P", name="Tỉnh Thử", kind=Agency.Kind.PROVINCE)
    district = AgencyFactory(
        code="P-D", name="Huyện Đông", kind=Agency.Kind.DISTRICT, parent=province
    )
    office = AgencyFactory(
        code="P-D-O", name="Phòng Văn hóa", kind=Agency.Kind.OFFICE, parent=district
    )
    radio = AgencyFactory(
        code="P-D-R",
        name="Đài Truyền thanh",
        kind=Agency.Kind.BROADCAST,
        parent=district,
    )
    commune = AgencyFactory(
        code="P-D-C", name="Xã Cũ", kind=Agency.Kind.COMMUNE, parent=district
    )
    department = AgencyFactory(
        code="P-S", name="Sở Nội vụ", kind=Agency.Kind.DEPARTMENT, parent=province
    )
    west = AgencyFactory(
        code="P-X", name="Huyện Tây", kind=Agency.Kind.DISTRICT, parent=province
    )

    quiz = Quiz.objects.create(title="Kiểm tra cuối khóa")
    index = make_index(site_root)
    course = make_course(
        index, title="Kỹ năng phát ngôn", slug="ky-nang", final_quiz=quiz
    )
    optional = make_course(index, title="Khóa tự chọn", slug="tu-chon", lessons=1)
    lessons = list(course.lessons())

    def person(name, agency, **kw):
        return UserFactory(full_name=name, agency=agency, **kw)

    people = SimpleNamespace(
        o1=person("Nguyễn Văn Một", office, position="Chánh Văn phòng"),
        o2=person("Trần Thị Hai", office),
        o3=person("Lê Văn Ba", office),
        r1=person("Phạm Thị Bốn", radio),
        d1=person("Hoàng Văn Năm", district),
        c1=person("Võ Thị Sáu", commune),
        m1=person("Đặng Văn Bảy", department),
        w1=person("Bùi Thị Tám", office),
        x1=person("Đỗ Văn Chín", west),
        manager=person("Võ Đức Quản", district, role=AGENCY_MANAGER),
        admin=person("Nguyễn Quản Trị", department, role=ADMINISTRATOR),
        trainer=person("Phan Minh Giảng", department, role=TRAINER),
    )
    e = SimpleNamespace()
    with days_ago(10):
        e.o1 = enrol_learner(learner=people.o1, course=course)
    with days_ago(4):
        _finish(e.o1, course, score=Decimal("90"), quiz=quiz)
    with days_ago(20):
        e.o2 = enrol_learner(
            learner=people.o2, course=course, due_at=NOW - timedelta(days=1)
        )
        open_lesson(enrolment=e.o2, lesson=lessons[0])
        complete_lesson(enrolment=e.o2, lesson=lessons[0])
    e.o3 = enrol_learner(
        learner=people.o3, course=course, due_at=NOW + timedelta(days=9)
    )
    with days_ago(25):
        e.r1 = enrol_learner(learner=people.r1, course=course)
    with days_ago(5):
        _finish(e.r1, course, score=Decimal("80"), quiz=quiz)
    with days_ago(15):
        e.d1 = enrol_learner(
            learner=people.d1, course=course, due_at=NOW - timedelta(days=2)
        )
    with days_ago(30):
        e.c1 = enrol_learner(learner=people.c1, course=course)
    with days_ago(20):
        _finish(e.c1, course)
    with days_ago(12):
        e.m1 = enrol_learner(learner=people.m1, course=course)
        open_lesson(enrolment=e.m1, lesson=lessons[0])
    e.w1 = enrol_learner(learner=people.w1, course=course)
    withdraw_enrolment(enrolment=e.w1)
    with days_ago(3):
        e.x1 = enrol_learner(learner=people.x1, course=course)
    with days_ago(1):
        _finish(e.x1, course)
    e.b1 = enrol_learner(learner=people.o1, course=optional)

    # The commune is merged into the office: its people and history go there.
    merge_agency(source=commune, target=office, merged_by=people.admin)
    # The department's learner moves to the office after enrolling.
    people.m1.agency = office
    people.m1.save(update_fields=["agency"])
    # Course A is an assigned course (everyone in X is already enrolled).
    assign_course_to_agency(course=course, agency=west)

    return SimpleNamespace(
        province=province,
        district=district,
        office=office,
        radio=radio,
        commune=commune,
        department=department,
        west=west,
        course=course,
        optional=optional,
        lessons=lessons,
        quiz=quiz,
        people=people,
        e=e,
        index=index,
    )


def _rows(world, user, **filters):
    report = CompletionReport(
        user=user, filters=CompletionFilters(course_id=world.course.pk, **filters)
    )
    return {row.code or OTHER: row for row in report.rows(full=True)}


def _figures(row):
    return (
        row.assigned,
        row.not_started,
        row.in_progress,
        row.completed,
        row.overdue,
        row.completion_percent,
    )


# Counting ------------------------------------------------------------------------


def test_a_district_rolls_up_its_units_and_every_status(world):
    rows = _rows(world, world.people.admin)
    # O: o1 and c1 completed, o2 in progress and overdue, o3 not started.
    assert _figures(rows["P-D-O"]) == (4, 1, 1, 2, 1, Decimal("50.0"))
    assert _figures(rows["P-D-R"]) == (1, 0, 0, 1, 0, Decimal("100.0"))
    # D adds its own d1 (not started, overdue) to O and R.
    assert _figures(rows["P-D"]) == (6, 2, 1, 3, 2, Decimal("50.0"))
    assert _figures(rows["P"]) == (8, 2, 2, 4, 2, Decimal("50.0"))
    assert [rows[c].depth for c in ("P", "P-D", "P-D-O")] == [0, 1, 2]
    assert rows["P-D-O"].parent_code == "P-D"


def test_a_merged_agency_counts_under_its_successor(world):
    rows = _rows(world, world.people.admin)
    assert "P-D-C" not in rows  # no row of its own
    assert world.e.c1.agency_id == world.commune.pk  # the record is untouched
    learners = CompletionReport(
        user=world.people.admin, filters=CompletionFilters(course_id=world.course.pk)
    ).learner_rows(world.office.pk)
    assert world.e.c1.pk in {row["pk"] for row in learners}


def test_a_learner_who_moved_counts_where_they_enrolled(world):
    rows = _rows(world, world.people.admin)
    assert _figures(rows["P-S"]) == (1, 0, 1, 0, 0, Decimal("0.0"))
    assert world.people.m1.agency_id == world.office.pk
    assert rows["P-D-O"].assigned == 4


def test_withdrawn_enrolments_are_not_assigned(world):
    rows = _rows(world, world.people.admin)
    learners = CompletionReport(
        user=world.people.admin, filters=CompletionFilters(course_id=world.course.pk)
    ).learner_rows(world.office.pk)
    assert world.e.w1.pk not in {row["pk"] for row in learners}
    assert rows["P-D-O"].assigned == 4


def test_median_days_to_complete_and_average_score(world):
    rows = _rows(world, world.people.admin)
    # o1 took 6 days, c1 10, r1 20, x1 2; o1 scored 90, r1 80.
    assert rows["P-D-O"].median_days == Decimal("8.0")
    assert rows["P-D"].median_days == Decimal("10.0")
    assert rows["P"].median_days == Decimal("8.0")
    assert rows["P-D-O"].average_score == Decimal("90.0")
    assert rows["P-D"].average_score == Decimal("85.0")
    assert rows["P-X"].average_score is None


def test_all_assigned_courses_leave_out_courses_nobody_assigned(world):
    admin = world.people.admin
    everything = CompletionReport(user=admin, filters=CompletionFilters()).rows()
    assert everything[0].assigned == 8  # course B's enrolment is not counted
    only_b = {
        r.code: r
        for r in CompletionReport(
            user=admin, filters=CompletionFilters(course_id=world.optional.pk)
        ).rows(full=True)
    }
    assert only_b["P-D-O"].assigned == 1


def test_status_and_date_filters_narrow_the_enrolments(world):
    admin = world.people.admin
    assert _rows(world, admin, status="overdue")["P"].assigned == 2
    assert _rows(world, admin, status="completed")["P-D"].assigned == 3
    recent = _rows(
        world, admin, enrolled_from=timezone.localdate(NOW - timedelta(days=11))
    )
    # o1 (10 days ago), o3 (today), x1 (3 days ago)
    assert recent["P"].assigned == 3
    older = _rows(
        world, admin, enrolled_to=timezone.localdate(NOW - timedelta(days=21))
    )
    assert older["P"].assigned == 2  # r1 (25 days), c1 (30 days)


def test_the_kind_filter_lists_agencies_of_that_kind_with_their_subtrees(world):
    report = CompletionReport(
        user=world.people.admin,
        filters=CompletionFilters(course_id=world.course.pk, kind=Agency.Kind.DISTRICT),
    )
    rows = report.rows()
    assert [(r.code, r.assigned, r.depth) for r in rows] == [
        ("P-D", 6, 0),
        ("P-X", 1, 0),
    ]


def test_the_page_shows_the_top_level_and_its_children(client, world):
    client.force_login(world.people.admin)
    response = client.get(REPORT, {"course": world.course.pk})
    assert response.status_code == 200
    rows = response.context["object_list"]
    assert [(r.code, r.depth) for r in rows] == [
        ("P", 0),
        ("P-S", 1),
        ("P-D", 1),
        ("P-X", 1),
    ]
    # D has units: a link shows them; the row links to its learners.
    html = response.content.decode()
    assert f"{REPORT}?course={world.course.pk}&amp;agency={world.district.pk}" in html
    assert reverse("reports:learners", args=[world.district.pk]) in html
    child = client.get(REPORT, {"course": world.course.pk, "agency": world.district.pk})
    assert [(r.code, r.depth) for r in child.context["object_list"]] == [
        ("P-D", 0),
        ("P-D-O", 1),
        ("P-D-R", 1),
    ]


def test_the_chart_shows_the_same_numbers_as_the_table(client, world):
    client.force_login(world.people.admin)
    html = client.get(REPORT, {"course": world.course.pk}).content.decode()
    svg = re.search(r'<svg[^>]*class="completion-chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    chart = dict(zip(texts[::2], texts[1::2], strict=True))
    assert chart == {
        "Tỉnh Thử": "50,0 %",
        "Sở Nội vụ": "0,0 %",
        "Huyện Đông": "50,0 %",
        "Huyện Tây": "100,0 %",
    }
    table = html[html.index("<table") :]
    for name, percent in chart.items():
        row = re.search(rf"{name}</a>.*?</tr>", table, re.S).group(0)
        assert f">{percent}<" in row.replace("\n", "").replace("  ", "")


def test_the_chart_escapes_labels_and_draws_bars_to_scale():
    svg = completion_bar_chart(
        [("<b>Sở</b>", Decimal("50.0"), 0), ("Huyện", None, 1)],
        title="Tiêu đề",
        description="Mô tả",
    )
    assert "&lt;b&gt;Sở&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'width="42.00%"' in svg  # half of the 84 % the bars may use
    assert "<title" in svg and 'role="img"' in svg and "Mô tả" in svg


def test_median_of_a_histogram():
    assert median_of_histogram({}) is None
    assert median_of_histogram({3: 1}) == Decimal("3.0")
    assert median_of_histogram({1: 1, 4: 1}) == Decimal("2.5")
    assert median_of_histogram({1: 2, 9: 1}) == Decimal("1.0")
    assert median_of_histogram({0: 1, 2: 2, 7: 1}) == Decimal("2.0")


# Drill-down ----------------------------------------------------------------------


def test_the_drill_down_lists_the_agency_subtrees_learners_with_progress(client, world):
    client.force_login(world.people.admin)
    url = reverse("reports:learners", args=[world.district.pk])
    response = client.get(url, {"course": world.course.pk})
    assert response.status_code == 200
    rows = {row["learner_name"]: row for row in response.context["object_list"]}
    assert set(rows) == {
        "Nguyễn Văn Một",
        "Trần Thị Hai",
        "Lê Văn Ba",
        "Phạm Thị Bốn",
        "Hoàng Văn Năm",
        "Võ Thị Sáu",
    }
    assert rows["Trần Thị Hai"]["progress"] == 50  # one of two required lessons
    assert rows["Trần Thị Hai"]["overdue"] is True
    assert rows["Nguyễn Văn Một"]["progress"] == 100
    assert rows["Lê Văn Ba"]["progress"] == 0
    assert rows["Nguyễn Văn Một"]["position"] == "Chánh Văn phòng"
    # No certificate issued in this course: the last column has its heading and
    # a dash.
    html = response.content.decode()
    with translation.override("vi"):
        heading = gettext("Certificate")
    assert re.search(rf"<th[^>]*>\s*{heading}\s*</th>\s*</tr>", html)
    assert len(re.findall(r"<td[^>]*>\s*–\s*</td>\s*</tr>", html)) == len(rows)


def test_progress_counts_only_published_required_lessons(client, world):
    extra = (
        world.lessons[1]
        .get_parent()
        .add_child(
            instance=world.lessons[0].__class__(
                title="Đọc thêm", slug="doc-them", is_required=False
            )
        )
    )
    assert extra.live
    client.force_login(world.people.admin)
    url = reverse("reports:learners", args=[world.office.pk])
    rows = client.get(url, {"course": world.course.pk}).context["object_list"]
    assert {r["learner_name"]: r["progress"] for r in rows}["Trần Thị Hai"] == 50


# Scoping -------------------------------------------------------------------------


def test_enrolments_visible_to_each_role(world):
    p, e = world.people, world.e
    assert enrolments_visible_to(p.admin).count() == Enrolment.objects.count()
    managed = set(enrolments_visible_to(p.manager).values_list("pk", flat=True))
    # Recorded in the subtree (c1 under the merged commune), or the learner is
    # there now (m1 moved in); X's enrolment is out of sight.
    assert {e.c1.pk, e.m1.pk, e.d1.pk, e.r1.pk, e.w1.pk} <= managed
    assert e.x1.pk not in managed
    assert set(enrolments_visible_to(p.o3).values_list("pk", flat=True)) == {e.o3.pk}


def test_an_administrator_sees_every_agency(client, world):
    client.force_login(world.people.admin)
    response = client.get(REPORT, {"course": world.course.pk})
    assert {r.code for r in response.context["object_list"]} >= {"P", "P-X", "P-S"}


def test_an_agency_manager_sees_their_subtree_only(client, world):
    client.force_login(world.people.manager)
    response = client.get(REPORT, {"course": world.course.pk})
    assert response.status_code == 200
    rows = response.context["object_list"]
    assert [(r.code, r.assigned) for r in rows] == [
        ("P-D", 6),
        ("P-D-O", 4),
        ("P-D-R", 1),
        ("", 1),  # m1 moved in from the department: counted elsewhere, shown apart
    ]
    html = response.content.decode()
    assert "Huyện Tây" not in html and "Tỉnh Thử" not in html
    other = client.get(reverse("reports:learners", args=[OTHER]))
    assert [r["learner_name"] for r in other.context["object_list"]] == ["Đặng Văn Bảy"]


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("reports:learners", args=[w.west.pk]),
        lambda w: reverse("reports:learners", args=[w.province.pk]),
        lambda w: f"{REPORT}?agency={w.west.pk}",
        lambda w: f"{REPORT}?agency={w.west.pk}&export=csv",
        lambda w: reverse("reports:learners", args=[w.west.pk]) + "?export=xlsx",
        lambda w: reverse("reports:learners", args=[99999]),
    ],
)
def test_agency_manager_cannot_open_another_agency(client, world, url):
    client.force_login(world.people.manager)
    assert client.get(url(world)).status_code == 404


def test_a_merged_agency_has_no_report_of_its_own(client, world):
    client.force_login(world.people.admin)
    url = reverse("reports:learners", args=[world.commune.pk])
    assert client.get(url).status_code == 404


def test_trainees_and_trainers_get_no_report(client, world):
    client.force_login(world.people.o3)
    response = client.get(REPORT)
    assert response.status_code in (302, 403)
    assert not response.streaming and b"Huy\xe1\xbb\x87n" not in response.content
    client.force_login(world.people.trainer)
    assert client.get(REPORT).status_code in (302, 403)
    url = reverse("reports:learners", args=[world.district.pk])
    assert client.get(url).status_code in (302, 403)


def test_without_view_enrolment_an_agency_manager_is_refused(client, world):
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import GROUP_NAMES

    Group.objects.get(name=GROUP_NAMES[AGENCY_MANAGER]).permissions.remove(
        Permission.objects.get(codename="view_enrolment")
    )
    client.force_login(world.people.manager)
    assert client.get(REPORT).status_code in (302, 403)


def test_the_reports_menu_shows_the_report_only_to_those_allowed(client, world):
    item = '"name": "completion-by-agency"'
    for person, shown in [("admin", True), ("manager", True), ("trainer", False)]:
        client.force_login(getattr(world.people, person))
        html = client.get("/admin/").content.decode().replace("&quot;", '"')
        assert (item in html) is shown, person


# Query bounds --------------------------------------------------------------------


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world):
    """More agencies and more enrolments, here and elsewhere."""
    for i in range(15):
        unit = AgencyFactory(
            code=f"P-D-N{i}", kind=Agency.Kind.COMMUNE, parent=world.district
        )
        learner = UserFactory(agency=unit)
        enrol_learner(learner=learner, course=world.course)
    for i in range(5):
        AgencyFactory(code=f"P-Q{i}", kind=Agency.Kind.DISTRICT, parent=world.province)


@pytest.mark.parametrize(
    "who, results_bound, page_bound",
    # Sign-in, permissions and Wagtail's user profile cost 5 queries; the report
    # needs the role, the agencies, the courses and its one grouped query. An
    # agency manager's scope costs 2 more (their agency, the agency tree).
    [("admin", 9, 13), ("manager", 11, 15)],
)
def test_the_report_runs_a_fixed_number_of_queries(
    client, world, who, results_bound, page_bound, django_assert_max_num_queries
):
    """Neither the results (what the filters fetch) nor the whole page (which adds
    Wagtail's menus) grows with the number of agencies or enrolments."""
    client.force_login(getattr(world.people, who))
    params = {"course": world.course.pk}
    results = reverse("reports:completion_results")
    client.get(REPORT, params)  # fills per-process caches (content types, sites)
    with django_assert_max_num_queries(results_bound):
        client.get(results, params)
    with django_assert_max_num_queries(page_bound):
        client.get(REPORT, params)
    before = [_count_queries(client, url, params) for url in (REPORT, results)]
    _grow(world)
    assert [_count_queries(client, url, params) for url in (REPORT, results)] == before
    assert _count_queries(client, REPORT) == before[0]  # every assigned course


def test_the_drill_down_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.people.admin)
    url = reverse("reports:learners", args=[world.district.pk])
    client.get(url)
    before = _count_queries(client, url)
    _grow(world)
    assert _count_queries(client, url) == before
    # Sign-in and scope (8), a count, the page's ids, the courses' lessons and
    # the page's rows (4), Wagtail's menus (4).
    assert before <= 16
