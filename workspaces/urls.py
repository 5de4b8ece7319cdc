from django.urls import path

from workspaces import views

urlpatterns = [
    path("signup", views.SignupView.as_view(), name="signup"),
    path("workspace", views.WorkspaceView.as_view(), name="workspace"),
    path("billing/plans", views.PlanListView.as_view(), name="billing-plans"),
    path("billing/subscription", views.SubscriptionView.as_view(), name="billing-subscription"),
]
