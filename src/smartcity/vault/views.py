"""Pages of the document store: my documents with their share links, and the page a share link opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from smartcity.lib import formats, ratelimit
from smartcity.lib.errors import NotFound, ServiceError
from smartcity.lib.http import pdf_attachment
from smartcity.vault import services


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    documents = services.documents_of(request.user).prefetch_related("shares__recipient")
    return render(request, "vault/mine.html", {"documents": documents, "max_days": services.MAX_SHARE_DAYS,
                                               "new_url": request.session.pop("vault_new_link", None),
                                               "agencies": services.share_choices(),
                                               "typed": request.session.pop("vault_typed", None)})


@login_required
def download(request: HttpRequest, document_id: int) -> FileResponse:
    try:
        document = services.own_document(request.user, document_id)
    except NotFound:
        raise Http404 from None
    return pdf_attachment(document.file, document.download_name)


@login_required
@require_POST
def share(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        new = services.share(user=request.user, document_id=document_id, days=request.POST.get("days"),
                             recipient_code=request.POST.get("recipient", ""))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        # what was typed comes back in the form, with the error beside it
        request.session["vault_typed"] = {"document": document_id, "days": str(request.POST.get("days", ""))[:4],
                                          "recipient": str(request.POST.get("recipient", ""))[:200],
                                          "field": exc.field, "error": exc.message}
    else:
        # shown once, on the next page only: the token is not stored anywhere but in this link
        request.session["vault_new_link"] = request.build_absolute_uri(f"/kho-du-lieu/chia-se/{new.token}/")
        # Hà Nội time, like the list of links (formatting the UTC value gave the day before after 17:00 UTC)
        messages.success(request, f"Đã tạo liên kết chia sẻ, hết hạn {formats.moment(new.link.expires_at)}")
    return redirect("vault:mine")


@login_required
@require_POST
def revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    try:
        services.revoke(user=request.user, link_id=link_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, "Đã thu hồi liên kết chia sẻ")
    return redirect("vault:mine")


@ratelimit.rate_limit("share_link")
def shared(request: HttpRequest, token: str) -> HttpResponse:
    try:
        document = services.open_shared(token=token, user=request.user)
    except ServiceError as exc:
        return render(request, "vault/shared.html", {"error": exc.message}, status=exc.status)
    if request.GET.get("tai") == "1":
        return pdf_attachment(document.file, document.download_name)
    return render(request, "vault/shared.html", {"document": document, "token": token})
