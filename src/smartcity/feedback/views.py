"""Pages of citizen reports: the public list and map with filters, a report's page with its timeline and the body's
answer, the mobile-first submit form, and the body's work queue. Thin: every write is a ``services`` call."""

from __future__ import annotations

import hmac
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.agencies.models import Agency
from smartcity.feedback import services
from smartcity.feedback.models import OPEN, Category, Photo, Rating, Report, Status
from smartcity.lib import collation, ratelimit
from smartcity.lib.errors import Forbidden, Invalid, NotFound, ServiceError
from smartcity.lib.principal import Principal, is_staff
from smartcity.places.maps import MapPoint, build_map

PER_PAGE = 30
MAP_POINTS = 500
COLOURS = {"open": "#b00020", "answered": "#1a56a8", "closed": "#1b6e2a"}


def _colour(status: str) -> str:
    if status in OPEN:
        return COLOURS["open"]
    return COLOURS["answered"] if status == Status.ANSWERED else COLOURS["closed"]


def _legend() -> list[tuple[str, str]]:
    return [(COLOURS["open"], _("Đang xử lý")), (COLOURS["answered"], _("Đã trả lời")),
            (COLOURS["closed"], _("Đã đóng"))]


def _staff(request: HttpRequest) -> Principal:
    return cast(Principal, request.user)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def report_list(request: HttpRequest) -> HttpResponse:
    qs = services.public_reports()
    category = request.GET.get("loai", "")[:40]
    status = request.GET.get("trang-thai", "")
    unit_id = _int(request.GET.get("phuong"))
    if category:
        qs = qs.filter(category__code=category) | qs.filter(category__parent__code=category)
    if status == "mo":
        qs = qs.filter(status__in=OPEN)
    elif status == "da-tra-loi":
        qs = qs.filter(status__in=(Status.ANSWERED, Status.CLOSED))
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    page = Paginator(qs.order_by("-received_at", "-id"), PER_PAGE).get_page(request.GET.get("trang"))
    points = [MapPoint(lat=r.latitude, lon=r.longitude, label="!" if r.emergency else "",
                       title=f"PA-{r.pk} · {r.category.name} · {r.get_status_display()}", colour=_colour(r.status),
                       href=reverse("feedback:detail", args=[r.pk]))
              for r in qs.order_by("-received_at")[:MAP_POINTS]]
    report_map = build_map(points, title=_("Bản đồ phản ánh"), legend=_legend(), ident="feedback-map",
                           description=_("Vị trí các phản ánh đang hiển thị trong danh sách"))
    groups = Category.objects.filter(parent__isnull=True, is_active=True).prefetch_related("children")
    units = _units_with_reports()
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "feedback/list.html", {
        "page": page, "map": report_map, "groups": groups, "units": units, "category": category,
        "status": status, "unit_id": unit_id, "query": query.urlencode()})


def _units_with_reports() -> list[tuple[int, str]]:
    from smartcity.places.models import Unit

    ids = Report.objects.public().order_by().values_list("unit_id", flat=True).distinct()
    units = list(Unit.objects.filter(pk__in=ids).values_list("id", "name"))
    return collation.sort(units, by=lambda u: u[1])


def _is_reporter(request: HttpRequest, report: Report, token: str) -> bool:
    user = request.user
    if user.is_authenticated and report.reporter_id == user.pk:
        return True
    return bool(token) and hmac.compare_digest(token, report.token)


def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = services.get_public_report(report_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    token = request.GET.get("t", "")[:40]
    staff_may = is_staff(request.user) and services.reports_for_staff(_staff(request)).filter(pk=report.pk).exists()
    photos = list(report.photos.all())
    point = MapPoint(lat=report.latitude, lon=report.longitude, label="", title=report.category.name,
                     colour=_colour(report.status))
    context = {
        "report": report, "timeline": services.timeline(report), "token": token,
        "is_reporter": _is_reporter(request, report, token), "staff_may": staff_may,
        "photos": [p for p in photos if not p.answer], "answer_photos": [p for p in photos if p.answer],
        "rating": Rating.objects.filter(report=report).first(),
        "map": build_map([point], title=_("Vị trí phản ánh"), description=report.address or report.unit.name,
                         legend=[], ident="report-map", fit="points"),
    }
    if staff_may:
        context["duplicates"] = services.propose_duplicates(category=report.category, latitude=report.latitude,
                                                            longitude=report.longitude, exclude_id=report.pk)
        context["agencies"] = Agency.objects.filter(is_active=True).exclude(level=Agency.Level.DISTRICT)
    return render(request, "feedback/detail.html", context)


def _uploads(request: HttpRequest, field: str) -> list[services.Upload]:
    files = request.FILES.getlist(field)
    if len(files) > 5:
        raise Invalid(_("Tối đa 5 ảnh"), field=field)
    return [services.Upload(name=f.name or "", content_type=f.content_type, data=f.read(11 * 1024 * 1024))
            for f in files]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


@ratelimit.rate_limit("feedback_submit", methods=("POST",))
def submit(request: HttpRequest) -> HttpResponse:
    error: ServiceError | None = None
    values: Any = {}
    if request.method == "POST":
        values = request.POST
        try:
            report = services.submit_report(
                user=request.user if request.user.is_authenticated else None,
                category_code=values.get("category", ""), description=values.get("description", ""),
                latitude=_float(values.get("lat")), longitude=_float(values.get("lon")),
                address=values.get("address", ""), photos=_uploads(request, "photos"),
                emergency=values.get("emergency") == "on", contact_name=values.get("contact_name", ""),
                contact_phone=values.get("contact_phone", ""), contact_email=values.get("contact_email", ""),
                attributes={k[5:]: str(values.get(k, "")) for k in values if k.startswith("attr-")})
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("Đã gửi phản ánh PA-%(id)s. Lưu lại đường dẫn này để theo dõi và đánh giá.")
                             % {"id": report.pk})
            url = reverse("feedback:detail", args=[report.pk])
            return redirect(url if report.reporter_id else f"{url}?t={report.token}")
    response = render(request, "feedback/submit.html", {
        "categories": services.categories(), "error": error, "values": values}, status=400 if error else 200)
    # The one page that needs the phone's position and camera: the site-wide policy denies both.
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)").replace(
        "geolocation=()", "geolocation=(self)")
    return response


@require_POST
def reporter_action(request: HttpRequest, report_id: int, operation: str) -> HttpResponse:
    token = request.POST.get("t", "")[:40]
    user = request.user if request.user.is_authenticated else None
    try:
        if operation == "danh-gia":
            score = _int(request.POST.get("score")) or 0
            services.rate(user=user, report_id=report_id, token=token, score=score,
                          comment=request.POST.get("comment", ""))
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        elif operation == "mo-lai":
            services.reopen(user=user, report_id=report_id, token=token, reason=request.POST.get("reason", ""))
            messages.success(request, _("Phản ánh đã được mở lại."))
        elif operation == "bo-sung":
            services.provide_info(user=user, report_id=report_id, token=token, text=request.POST.get("text", ""))
            messages.success(request, _("Đã gửi thông tin bổ sung."))
        else:
            raise Http404
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        return HttpResponse(exc.message, status=403)
    except ServiceError as exc:
        messages.error(request, exc.message)
    url = reverse("feedback:detail", args=[report_id])
    return redirect(f"{url}?t={token}" if token else url)


OPERATIONS = ("tiep-nhan", "tra-lai", "chuyen", "yeu-cau-bo-sung", "gop", "tra-loi", "dong")


@login_required
@require_POST
def operate(request: HttpRequest, report_id: int, operation: str) -> HttpResponse:
    post, user = request.POST, _staff(request)
    try:
        if operation == "tiep-nhan":
            services.accept(user=user, report_id=report_id)
        elif operation == "tra-lai":
            services.return_to_coordinator(user=user, report_id=report_id, reason=post.get("reason", ""))
        elif operation == "chuyen":
            services.transfer(user=user, report_id=report_id, agency_code=post.get("agency", "")[:20],
                              reason=post.get("reason", ""))
        elif operation == "yeu-cau-bo-sung":
            services.request_info(user=user, report_id=report_id, question=post.get("question", ""))
        elif operation == "gop":
            services.merge(user=user, report_id=report_id, into_id=_int(post.get("into")) or 0)
        elif operation == "tra-loi":
            services.answer(user=user, report_id=report_id, text=post.get("text", ""),
                            photos=_uploads(request, "photos"))
        elif operation == "dong":
            services.close(user=user, report_id=report_id)
        else:
            raise Http404
        messages.success(request, _("Đã cập nhật phản ánh."))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        return HttpResponse(exc.message, status=403)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:detail", report_id=report_id)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_staff(request.user):
        return HttpResponse(_("Trang dành cho cán bộ"), status=403)
    qs = services.reports_for_staff(_staff(request))
    show = request.GET.get("trang-thai", "mo")
    if show == "mo":
        qs = qs.filter(status__in=OPEN)
    page = Paginator(qs.order_by("due_on", "received_at", "id"), PER_PAGE).get_page(request.GET.get("trang"))
    return render(request, "feedback/queue.html", {"page": page, "show": show, "today": services.today()})


def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    row = Photo.objects.filter(pk=photo_id, report__hidden=False).first()
    if row is None:
        raise Http404
    response = FileResponse(row.image.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response
