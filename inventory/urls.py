from django.urls import path

from inventory.views import outlets

app_name = "inventory"

urlpatterns = [
    path("outlets/", outlets.OutletListView.as_view(), name="outlet_list"),
    path("outlets/add/", outlets.OutletCreateView.as_view(), name="outlet_create"),
    path("outlets/<int:pk>/edit/", outlets.OutletUpdateView.as_view(), name="outlet_update"),
    path("outlets/<int:pk>/active/", outlets.outlet_set_active, name="outlet_set_active"),
]
