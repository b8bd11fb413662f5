from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse


@staff_member_required
def queue(request, queue_name: str) -> HttpResponse:
    return HttpResponse(queue_name)
