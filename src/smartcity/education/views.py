"""Pages at /tuyen-sinh/: the family's application form, status and result; a school's admitted list; the
department's round page (allocate, publish, compare the two rules, export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.education import services
from smartcity.education.models import Quota, School
from smartcity.lib.errors import Forbidden, NotFound, ServiceError
from smartcity.lib.export import Column, csv_response
from smartcity.lib.principal import is_staff


def index(request: HttpRequest) -> HttpResponse:
    rounds = list(services.open_rounds().prefetch_related("quotas__school"))
    applications = list(services.applications_of(request.user)) if request.user.is_authenticated else []
    for app in applications:
        app.lines = services.explanation_lines(app)  # type: ignore[attr-defined]
    children = services.children_of(request.user)
    for rnd in rounds:
        rnd.eligible = services.eligible_children(rnd, children)  # type: ignore[attr-defined]
    context = {
        "rounds": rounds,
        "children": children,
        "applications": applications,
        "department": services.is_department(request.user),
        "my_schools": list(School.objects.filter(staff=request.user)) if is_staff(request.user) else [],
        "all_rounds": [],
    }
    if context["department"] or context["my_schools"]:
        from smartcity.education.models import Round

        context["all_rounds"] = list(Round.objects.all())
    return render(request, "education/index.html", context)


@login_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    choices = [request.POST.get(f"choice{r}", "") for r in range(1, 6)]
    try:
        app = services.submit_application(user=request.user, round_id=int(request.POST.get("round", "0") or 0),
                                          child_id_number=request.POST.get("child", ""), choices=choices)
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Dữ liệu không hợp lệ")))
    else:
        messages.success(request, _("Đã nộp hồ sơ %(code)s") % {"code": app.code})
    return redirect("education:index")


@login_required
@require_POST
def appeal(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.file_appeal(user=request.user, code=code, reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi đơn phúc khảo"))
    return redirect("education:index")


def _department_round(request: HttpRequest, round_id: int):
    if not services.is_department(request.user):
        raise Http404
    try:
        return services.get_round(round_id)
    except NotFound:
        raise Http404 from None


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _department_round(request, round_id)
    quotas = Quota.objects.filter(round=rnd).select_related("school").order_by("school__code")
    return render(request, "education/round.html", {"round": rnd, "quotas": quotas})


@login_required
@require_POST
def allocate(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _department_round(request, round_id)
    try:
        services.run_allocation(actor=request.user, round_id=rnd.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xét tuyển"))
    return redirect("education:round", round_id=rnd.pk)


@login_required
@require_POST
def publish(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _department_round(request, round_id)
    try:
        services.publish_results(actor=request.user, round_id=rnd.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã công bố kết quả"))
    return redirect("education:round", round_id=rnd.pk)


EXPORT_COLUMNS = [Column("code", "Mã hồ sơ"), Column("child", "Học sinh"), Column("date_of_birth", "Ngày sinh"),
                  Column("choices", "Nguyện vọng"), Column("composite", "Điểm xét tuyển"),
                  Column("status", "Kết quả"), Column("school", "Trường trúng tuyển"),
                  Column("admitted_choice", "Nguyện vọng trúng tuyển")]


@login_required
def export(request: HttpRequest, round_id: int) -> StreamingHttpResponse:
    try:
        rows = list(services.export_rows(actor=request.user, round_id=round_id))
    except (Forbidden, NotFound):
        raise Http404 from None
    return csv_response(EXPORT_COLUMNS, rows, filename=f"tuyen-sinh-{round_id}.csv")


@login_required
def admitted(request: HttpRequest, round_id: int, school_code: str) -> HttpResponse:
    try:
        school, apps = services.admitted_list(user=request.user, round_id=round_id, school_code=school_code)
    except NotFound:
        raise Http404 from None
    return render(request, "education/admitted.html", {"school": school, "applications": apps,
                                                       "round": services.get_round(round_id)})


@login_required
def contact_book(request: HttpRequest) -> HttpResponse:
    """The family's contact book: each child's marks, read through the same check as the API."""
    books = []
    for child in services.children_of(request.user):
        _child, grades = services.grades_of(user=request.user, child_id_number=child.id_number)
        books.append((child, list(grades)))
    return render(request, "education/contact_book.html", {"books": books})
