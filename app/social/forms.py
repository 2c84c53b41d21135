from app.auth.forms import SignupForm


class SocialSignupForm(SignupForm):
    """The first login with Kakao or Naver: the sign-up form without a password (the provider is the way in)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.password
