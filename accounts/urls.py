from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts.forms.auth import PortalPasswordResetForm
from accounts.views import two_factor as views_two_factor

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        views_two_factor.TwoFactorLoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("2fa/verify/", views_two_factor.otp_verify, name="otp_verify"),
    path("2fa/setup/", views_two_factor.otp_setup, name="otp_setup"),
    path("2fa/recovery-codes/", views_two_factor.otp_recovery_codes, name="otp_recovery_codes"),
    path("security/", views_two_factor.security, name="security"),
    path(
        "security/recovery-codes/",
        views_two_factor.regenerate_recovery_codes,
        name="otp_regenerate_recovery_codes",
    ),
    path("security/disable/", views_two_factor.disable_two_factor, name="otp_disable"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PortalPasswordResetForm,
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            html_email_template_name="accounts/email/password_reset.html",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
            # Never signs in: the next login asks for the password and the second factor.
            post_reset_login=False,
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
