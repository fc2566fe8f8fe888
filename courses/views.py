from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .certificates.services import certificates_by_enrolment
from .models import CourseIndexPage, CoursePage, LessonPage
from .selectors import active_enrolment
from .selectors import my_learning as my_learning_state
from .services import CourseRuleError, enrol_learner
from .services import complete_lesson as complete


@login_required
@require_POST
def enrol(request, course_id):
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    try:
        enrol_learner(learner=request.user, course=course)
    except CourseRuleError as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.get_url(request))


@login_required
@require_POST
def complete_lesson(request, lesson_id):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    course = lesson.get_course()
    if course is None or not course.live:
        raise Http404
    enrolment = active_enrolment(learner=request.user, course=course)
    if enrolment is None:
        messages.error(
            request, _("You are not enrolled in “%(title)s”.") % {"title": course.title}
        )
        return redirect(course.get_url(request))
    try:
        complete(enrolment=enrolment, lesson=lesson)
    except CourseRuleError as error:
        messages.error(request, error.reason)
        return redirect(lesson.get_url(request))
    if enrolment.completed_at:
        messages.success(request, _("You have completed the course. Well done!"))
        return redirect(course.get_url(request))
    messages.success(request, _("Lesson marked as done."))
    following = course.lessons().filter(path__gt=lesson.path).first()
    return redirect((following or course).get_url(request))


@login_required
@require_GET
def my_learning(request):
    learning = my_learning_state(learner=request.user)
    certificates = certificates_by_enrolment(e.enrolment.pk for e in learning.completed)
    for entry in learning.completed:
        entry.certificate = certificates.get(entry.enrolment.pk)
    return render(request, "courses/my_learning.html", {"learning": learning})


@require_GET
def catalogue(request):
    index = CourseIndexPage.objects.live().public().order_by("path").first()
    if index is None:
        raise Http404(_("There is no course catalogue yet."))
    return redirect(index.get_url(request))
