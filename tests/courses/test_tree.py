"""Trainers can only build catalogue → course → (module) → lesson."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from courses.models import CourseIndexPage, CoursePage, HomePage, LessonPage, ModulePage


class CourseTreeTests(WagtailPageTestCase):
    def test_the_home_page_holds_catalogues(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage})

    def test_a_catalogue_holds_courses_only(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)
        self.assertCanNotCreateAt(Page, CourseIndexPage)

    def test_a_course_holds_modules_and_lessons(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage, LessonPage})
        self.assertCanNotCreateAt(HomePage, CoursePage)

    def test_a_module_holds_lessons_only(self):
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertCanNotCreateAt(ModulePage, ModulePage)

    def test_a_lesson_has_no_children(self):
        self.assertAllowedParentPageTypes(LessonPage, {CoursePage, ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)
