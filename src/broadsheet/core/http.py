from django.http import HttpResponseRedirect


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, send the browser to a page it loads with GET (so reload does not repost)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
