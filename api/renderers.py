"""The browsable API, as it renders under the app's Content-Security-Policy."""

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without its inline <style> of syntax colours.

    DRF adds that style only when Pygments is installed (it comes with the test
    tools, not with the app), and the policy refuses inline styles: without it
    the page looks and behaves the same wherever it runs.
    """

    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context
