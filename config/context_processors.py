from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> dict[str, str]:
    """The current filters as a query string without `page`, for pagination and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"query_without_page": query.urlencode()}
