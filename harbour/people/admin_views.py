"""Supporter records in the Wagtail admin: search, history, export, erasure.

The search form submits by POST, so an e-mail address typed into it never lands in a URL,
a browser history or an access log; an address matches exactly, names match in part."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harbour.core.paging import CappedPaginator

from .models import Person
from .selectors import name_parts, people_search
from .services import person_erase, person_export, person_history


@permission_required("people.view_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_index(request: HttpRequest) -> HttpResponse:
    query = (request.POST.get("q") or request.GET.get("name") or "").strip()[:200]
    page = CappedPaginator(people_search(query), 50).get_page(request.GET.get("p"))
    too_short = bool(query) and "@" not in query and not name_parts(query)
    context = {"people": page, "query": query, "too_short": too_short}
    return TemplateResponse(request, "people/admin/index.html", context)


@permission_required("people.view_person", raise_exception=True)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    return TemplateResponse(
        request,
        "people/admin/detail.html",
        {
            "person": person,
            "history": person_history(person=person),
            "can_export": request.user.has_perm("people.export_person"),
            "can_erase": request.user.has_perm("people.erase_person"),
        },
    )


@permission_required("people.export_person", raise_exception=True)
@require_http_methods(["POST"])
def person_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, erased_at=None)
    data = person_export(person=person, actor=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="supporter-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("people.erase_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, erased_at=None)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Type “erase” to confirm."))
            return TemplateResponse(
                request, "people/admin/erase.html", {"person": person}, status=400
            )
        person_erase(person=person, actor=request.user)
        messages.success(request, _("The supporter's personal details were erased."))
        return HttpResponseRedirect(reverse("people_admin:index"))
    return TemplateResponse(request, "people/admin/erase.html", {"person": person})
