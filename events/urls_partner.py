"""Partner accounts and proposals, inside `i18n_patterns` (namespace `partners`)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views_partner as views
from . import views_suggestions
from .forms_partner import QueuedPasswordResetForm

app_name = "partners"

urlpatterns = [
    path("partners/", views.ProgrammeView.as_view(), name="programme"),
    path("partners/register/", views.RegisterView.as_view(), name="register"),
    path("partners/verify/<str:token>/", views.VerifyEmailView.as_view(), name="verify_email"),
    path(
        "partners/verify-again/",
        views.ResendVerificationView.as_view(),
        name="resend_verification",
    ),
    path(
        "partners/login/",
        auth_views.LoginView.as_view(
            template_name="partners/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("partners:proposal_list"),
        ),
        name="login",
    ),
    path(
        "partners/logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("partners:login")),
        name="logout",
    ),
    path(
        "partners/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="partners/password_change.html",
            success_url=reverse_lazy("partners:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "partners/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="partners/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "partners/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            template_name="partners/password_reset.html",
            email_template_name="partners/emails/password_reset.txt",
            html_email_template_name="partners/emails/password_reset.html",
            subject_template_name="partners/emails/password_reset_subject.txt",
            success_url=reverse_lazy("partners:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "partners/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="partners/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "partners/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="partners/password_reset_confirm.html",
            success_url=reverse_lazy("partners:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "partners/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="partners/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("partner/proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path("partner/proposals/new/", views.ProposalFormView.as_view(), name="proposal_create"),
    path("partner/proposals/ties/", views.ProposalTiesView.as_view(), name="proposal_ties"),
    path("partner/proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path(
        "partner/proposals/<int:pk>/edit/", views.ProposalFormView.as_view(), name="proposal_edit"
    ),
    path(
        "partner/proposals/<int:pk>/submit/",
        views.ProposalActionView.as_view(action="submit"),
        name="proposal_submit",
    ),
    path(
        "partner/proposals/<int:pk>/withdraw/",
        views.ProposalActionView.as_view(action="withdraw"),
        name="proposal_withdraw",
    ),
    path(
        "partner/proposals/<int:pk>/files/<str:field>/",
        views.ProposalFileView.as_view(),
        name="proposal_file",
    ),
    path(
        "partner/suggestions/",
        views_suggestions.SuggestionListView.as_view(),
        name="suggestion_list",
    ),
    path(
        "partner/suggestions/new/<str:kind>/",
        views_suggestions.SuggestionCreateView.as_view(),
        name="suggestion_create",
    ),
    path(
        "partner/suggestions/<int:pk>/",
        views_suggestions.SuggestionDetailView.as_view(),
        name="suggestion_detail",
    ),
    path(
        "partner/suggestions/<int:pk>/withdraw/",
        views_suggestions.SuggestionWithdrawView.as_view(),
        name="suggestion_withdraw",
    ),
    path(
        "partner/suggestions/<int:pk>/document/",
        views_suggestions.SuggestionDocumentView.as_view(),
        name="suggestion_document",
    ),
]
