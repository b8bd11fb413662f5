"""The desk's activity page and the download of its decisions as labels."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from broadsheet.desk import selectors
from broadsheet.desk.http import staff_required
from broadsheet.desk.views import all_tabs


@staff_required
@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    from broadsheet.moderation.reporting import agreement_by_reason

    agreement = agreement_by_reason()
    context = {
        "activity": selectors.desk_activity(),
        "agreement": [
            {"code": code, "decisions": row["decisions"], "agreed": row["agreed"],
             "rate": row["agreed"] / row["decisions"]}
            for code, row in sorted(agreement.items(), key=lambda kv: (kv[0] == "all", kv[0]))
        ],
        "tabs": all_tabs(),
        "active_page": "activity",
    }
    return render(request, "desk/activity.html", context)


@staff_required
@require_GET
def labels_csv(request: HttpRequest) -> HttpResponse:
    """The desk's decisions as a labelled CSV, for `broadsheet moderation eval` and
    `train --with` (the same file as `broadsheet moderation export-labels`)."""
    from broadsheet.moderation.labels import TASK_REASONS, write_labels

    task = request.GET.get("task", "abuse")
    if task not in TASK_REASONS:
        return HttpResponse(
            f"There are labels for {' and '.join(TASK_REASONS)}; ask for ?task=abuse or "
            "?task=relevance.", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="desk_{task}.csv"'
    write_labels(response, task)
    return response

