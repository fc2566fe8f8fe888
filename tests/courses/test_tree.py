"""Trainers can only build catalogue → course → (module) → lesson; beside the
catalogue, the home page holds information pages."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from courses.models import (
    CourseIndexPage,
    CoursePage,
    HomePage,
    InformationPage,
    LessonPage,
    ModulePage,
)


class CourseTreeTests(WagtailPageTestCase):
    def test_the_home_page_holds_catalogues_and_information_pages(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage, InformationPage})

    def test_an_information_page_sits_under_the_home_page_alone(self):
        self.assertAllowedParentPageTypes(InformationPage, {HomePage})
        self.assertAllowedSubpageTypes(InformationPage, set())
        self.assertCanNotCreateAt(CourseIndexPage, InformationPage)

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
