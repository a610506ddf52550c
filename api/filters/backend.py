"""django-filter's DRF backend, with the browsable API's filter form as a plain GET form."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """With crispy-forms installed, django-filter lays the browsable API's filters out
    with crispy's default helper, a POST form: that would send a create, not a filter.
    """

    template = "django_filters/rest_framework/form.html"
