"""Configuration classes; every setting can be overridden by an environment variable."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants the psycopg 3 driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEVELOPMENT_SECRET_KEY = "dev-only-secret-change-me"

# Days each kind of personal data is kept before `flask privacy purge` erases it (issue 18).
DEFAULT_RETENTION_DAYS = {
    "notifications": 365,  # in-app notifications, read or not
    "revoked_api_tokens": 90,  # revoked or unused tokens
    "deactivated_accounts": 365,  # accounts deactivated (not deleted) are erased after this
    "payment_records": 1825,  # identity kept with allowances paid (5 years, public accounting)
    "certificate_records": 1825,  # identity kept with certificates issued
    "staff_access_log": 730,  # staff views of personal data (never less than 365)
    # Mobile numbers staff entered with a resident's participation (intake): erased this long after entry
    # when nobody claimed it; a claimed record's number is erased at the claim.
    "intake_unclaimed": 365,
    # A guest's confirmed email/number with consultation opinions (and the phone staff typed from a paper
    # form): kept this long after the results were published (they are mailed/texted then) ...
    "consultation_contacts": 90,
    # ... or this long after the deadline when results are never published.
    "consultation_contacts_no_results": 365,
    # A guest's confirmed email/number with survey answers (one answer per guest): after the survey closed.
    "survey_guest_contacts": 30,
}


def _retention_days(spec: str) -> dict[str, int]:
    """``PRIVACY_RETENTION_DAYS="notifications=180,payment_records=3650"`` overrides single kinds."""
    days = dict(DEFAULT_RETENTION_DAYS)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name.strip() not in days or not value.strip().isdigit():
            raise RuntimeError(f"PRIVACY_RETENTION_DAYS: unknown kind or bad number in {part!r}")
        days[name.strip()] = int(value)
    days["staff_access_log"] = max(365, days["staff_access_log"])
    return days


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'maeul.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Keys encrypting bank account numbers at rest (Fernet, urlsafe base64 of 32 bytes), comma-separated:
    # the first encrypts, every one decrypts (key rotation: see `flask ledger rotate-key`).
    DATA_ENCRYPTION_KEY = os.environ.get("DATA_ENCRYPTION_KEY", "")

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("ko", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    # Limits must be shared by every worker process: Redis when REDIS_URL is set, memory otherwise.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Keeps this site's counters apart from anything else stored in the same Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "maeul")
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@maeul.local")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))  # seconds an SMTP conversation may take
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "아산시 마을")  # the name shown beside MAIL_SENDER
    # Notifications sent outside the site (app/channels): most messages one resident gets per day and channel
    # (digests excepted); past it the notification stays on the site.
    NOTIFY_MAILS_PER_DAY = int(os.environ.get("NOTIFY_MAILS_PER_DAY", "20"))
    NOTIFY_TEXTS_PER_DAY = int(os.environ.get("NOTIFY_TEXTS_PER_DAY", "5"))
    # How long a one-click unsubscribe link in a mail keeps working (seconds; default a year).
    UNSUBSCRIBE_MAX_AGE = int(os.environ.get("UNSUBSCRIBE_MAX_AGE", str(365 * 24 * 3600)))

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))

    # Korean logins (app/social). A provider is offered when its client id is set and it is not switched
    # off (KAKAO_ENABLED=0 / NAVER_ENABLED=0). Endpoints default to the providers' documented addresses.
    KAKAO_ENABLED = os.environ.get("KAKAO_ENABLED", "1") == "1"
    KAKAO_CLIENT_ID = os.environ.get("KAKAO_CLIENT_ID", "")  # the app's REST API key
    KAKAO_CLIENT_SECRET = os.environ.get("KAKAO_CLIENT_SECRET", "")
    KAKAO_AUTHORIZE_URL = os.environ.get("KAKAO_AUTHORIZE_URL", "https://kauth.kakao.com/oauth/authorize")
    KAKAO_TOKEN_URL = os.environ.get("KAKAO_TOKEN_URL", "https://kauth.kakao.com/oauth/token")
    KAKAO_JWKS_URL = os.environ.get("KAKAO_JWKS_URL", "https://kauth.kakao.com/.well-known/jwks.json")
    KAKAO_ISSUER = os.environ.get("KAKAO_ISSUER", "https://kauth.kakao.com")
    NAVER_ENABLED = os.environ.get("NAVER_ENABLED", "1") == "1"
    NAVER_CLIENT_ID = os.environ.get("NAVER_CLIENT_ID", "")
    NAVER_CLIENT_SECRET = os.environ.get("NAVER_CLIENT_SECRET", "")
    NAVER_AUTHORIZE_URL = os.environ.get("NAVER_AUTHORIZE_URL", "https://nid.naver.com/oauth2.0/authorize")
    NAVER_TOKEN_URL = os.environ.get("NAVER_TOKEN_URL", "https://nid.naver.com/oauth2.0/token")
    NAVER_PROFILE_URL = os.environ.get("NAVER_PROFILE_URL", "https://openapi.naver.com/v1/nid/me")
    SOCIAL_LOGIN_TIMEOUT = float(os.environ.get("SOCIAL_LOGIN_TIMEOUT", "5"))  # seconds per call to a provider
    SOCIAL_LOGIN_MAX_AGE = int(os.environ.get("SOCIAL_LOGIN_MAX_AGE", "600"))  # seconds to come back from one
    # The privacy plan (seeds/003) keeps access logs at least a year; `flask users prune-access-log` never goes lower.
    ACCESS_LOG_RETENTION_DAYS = max(365, int(os.environ.get("ACCESS_LOG_RETENTION_DAYS", "400")))
    # The version residents agreed to before any version was published on /admin/privacy/policies.
    PRIVACY_POLICY_VERSION = "2026-11"
    PRIVACY_OFFICER_NAME = os.environ.get("PRIVACY_OFFICER_NAME", "개인정보 보호책임자 (정보통신과장)")
    PRIVACY_OFFICER_CONTACT = os.environ.get("PRIVACY_OFFICER_CONTACT", "041-540-2114 · privacy@asan.go.kr")
    PRIVACY_DELETION_COOLING_OFF_DAYS = int(os.environ.get("PRIVACY_DELETION_COOLING_OFF_DAYS", "7"))
    PRIVACY_RETENTION_DAYS = _retention_days(os.environ.get("PRIVACY_RETENTION_DAYS", ""))

    # Open data (공공데이터 개방): files written by `flask opendata export`.
    OPENDATA_DIR = os.environ.get("OPENDATA_DIR", str(INSTANCE_DIR / "opendata"))
    OPENDATA_LICENCE = os.environ.get("OPENDATA_LICENCE", "공공누리 제1유형 (출처표시)")
    OPENDATA_LICENCE_URL = os.environ.get("OPENDATA_LICENCE_URL", "https://www.kogl.or.kr/info/licenseType1.do")
    # Key of the stable author pseudonyms (HMAC of the account id); SECRET_KEY when unset.
    OPENDATA_PSEUDONYM_KEY = os.environ.get("OPENDATA_PSEUDONYM_KEY", "")
    # Requests without a token to the read API, per address.
    PUBLIC_API_RATELIMIT = os.environ.get("PUBLIC_API_RATELIMIT", "120 per minute;5000 per day")
    # Statistics never show a group of fewer people than this.
    STATS_MIN_GROUP = int(os.environ.get("STATS_MIN_GROUP", "5"))
    # Statistics are recomputed at most this often per worker (0: every request).
    STATS_CACHE_SECONDS = int(os.environ.get("STATS_CACHE_SECONDS", "300"))

    # The organisation printed on every certificate as its issuer.
    CERTIFICATE_ISSUER = os.environ.get("CERTIFICATE_ISSUER", "아산시")
    # Verification lookups per client address: enough for people, too few to guess 160-bit codes.
    CERTIFICATE_VERIFY_RATELIMIT = os.environ.get("CERTIFICATE_VERIFY_RATELIMIT", "30 per minute;300 per day")
    POLICY_ATTACHMENT_MAX_BYTES = int(os.environ.get("POLICY_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))
    LAB_CSV_MAX_BYTES = int(os.environ.get("LAB_CSV_MAX_BYTES", "1000000"))
    LAB_CSV_MAX_ROWS = int(os.environ.get("LAB_CSV_MAX_ROWS", "5000"))
    LAB_PUBLIC_FEEDBACK_LIMIT = os.environ.get("LAB_PUBLIC_FEEDBACK_LIMIT", "5 per minute;30 per day")

    # Confirmation codes mailed to people without an account (consultation opinions, open surveys).
    GUEST_CODE_MAX_AGE = int(os.environ.get("GUEST_CODE_MAX_AGE", "600"))
    GUEST_CODE_MAX_ATTEMPTS = int(os.environ.get("GUEST_CODE_MAX_ATTEMPTS", "5"))
    GUEST_CODE_PER_EMAIL_PER_HOUR = int(os.environ.get("GUEST_CODE_PER_EMAIL_PER_HOUR", "3"))
    GUEST_CODE_RATELIMIT = os.environ.get("GUEST_CODE_RATELIMIT", "5 per minute;20 per hour")
    # Text messages (SMS/LMS and KakaoTalk 알림톡) through one HTTP message provider (app/channels/texts.py).
    # Without TEXT_PROVIDER_URL, texts are written to TEXT_OUTBOX_DIR (development), like mail.
    TEXT_PROVIDER_URL = os.environ.get("TEXT_PROVIDER_URL", "")
    TEXT_PROVIDER_KEY = os.environ.get("TEXT_PROVIDER_KEY", "")
    TEXT_PROVIDER_TIMEOUT = float(os.environ.get("TEXT_PROVIDER_TIMEOUT", "5"))
    TEXT_SENDER_NUMBER = os.environ.get("TEXT_SENDER_NUMBER", "0415402114")  # 발신번호, registered with the provider
    TEXT_KAKAO_SENDER_KEY = os.environ.get("TEXT_KAKAO_SENDER_KEY", "")  # 알림톡 발신 프로필 키; empty: SMS only
    TEXT_OUTBOX_DIR = os.environ.get("TEXT_OUTBOX_DIR", str(INSTANCE_DIR / "text-outbox"))
    # Phone number verification by a one-time code (app/phones).
    PHONE_CODE_MAX_AGE = int(os.environ.get("PHONE_CODE_MAX_AGE", "300"))
    PHONE_CODE_MAX_ATTEMPTS = int(os.environ.get("PHONE_CODE_MAX_ATTEMPTS", "5"))
    PHONE_CODE_PER_NUMBER_PER_HOUR = int(os.environ.get("PHONE_CODE_PER_NUMBER_PER_HOUR", "5"))
    PHONE_CODE_PER_IP_PER_HOUR = int(os.environ.get("PHONE_CODE_PER_IP_PER_HOUR", "30"))
    PHONE_CODE_RATELIMIT = os.environ.get("PHONE_CODE_RATELIMIT", "5 per minute;30 per hour")
    # Walking programme (issue 11): collection rules, retention, conversion to local currency.
    WALKING_PROGRAMME_ID = 1  # the walking programme's id in budgets (programme type "walking")
    WALKING_RETENTION_DAYS = int(os.environ.get("WALKING_RETENTION_DAYS", "365"))
    WALKING_SUBMISSION_WINDOW_DAYS = int(os.environ.get("WALKING_SUBMISSION_WINDOW_DAYS", "7"))
    WALKING_PLAUSIBLE_STEPS = int(os.environ.get("WALKING_PLAUSIBLE_STEPS", "60000"))
    WALKING_UPLOAD_MAX_BYTES = int(os.environ.get("WALKING_UPLOAD_MAX_BYTES", str(800 * 1024 * 1024)))
    WALKING_IMPORT_MAX_ROWS = int(os.environ.get("WALKING_IMPORT_MAX_ROWS", "200000"))
    WALKING_CONVERSION_PROVIDER = os.environ.get("WALKING_CONVERSION_PROVIDER", "coupon")
    WALKING_COUPON_VALID_DAYS = int(os.environ.get("WALKING_COUPON_VALID_DAYS", "90"))
    WALKING_ACCOUNT_URL = os.environ.get("WALKING_ACCOUNT_URL", "")
    WALKING_ACCOUNT_KEY = os.environ.get("WALKING_ACCOUNT_KEY", "")
    WALKING_ACCOUNT_TIMEOUT = float(os.environ.get("WALKING_ACCOUNT_TIMEOUT", "5"))
    WALKING_RELEASE_AFTER_HOURS = int(os.environ.get("WALKING_RELEASE_AFTER_HOURS", "24"))

    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "")  # whoosh or postgresql; empty: postgresql on PostgreSQL
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    SEARCH_WRITE_TIMEOUT = float(os.environ.get("SEARCH_WRITE_TIMEOUT", "10"))  # seconds to wait for the index lock
    # PostgreSQL: maintenance_work_mem while `flask search reindex` builds the index (RUM/GIN build in it)
    SEARCH_REINDEX_MEMORY = os.environ.get("SEARCH_REINDEX_MEMORY", "512MB")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Where uploaded and built files live (app/storage.py): "folder" (UPLOAD_DIR) or "database";
    # empty chooses the database on PostgreSQL, the folder otherwise.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "")
    # Background jobs (app/jobs): seconds between retries of a failing job (its back-off; one retry per
    # number), how long a job may run, and how long a job that failed every retry is kept for staff.
    JOB_RETRY_INTERVALS = [int(s) for s in os.environ.get("JOB_RETRY_INTERVALS", "30,300,1800").split(",") if s]
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "600"))
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "maeul")
    JOB_FAILURE_TTL = int(os.environ.get("JOB_FAILURE_TTL", str(365 * 24 * 3600)))
    # Notifying more users than this at once goes to the job queue (when there is one).
    NOTIFY_INLINE_LIMIT = int(os.environ.get("NOTIFY_INLINE_LIMIT", "300"))
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Public pages (proposal list, a proposal, search, the API list) for readers not signed in are served
    # from a per-process cache checked against a content version every write moves on (app/ops/cache.py);
    # entries also expire after this many seconds. 0 turns the cache off. Entries kept per process:
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30"))
    PAGE_CACHE_ENTRIES = int(os.environ.get("PAGE_CACHE_ENTRIES", "256"))
    # Without Redis, the content version is this file (one machine); empty: beside the SQLite database.
    PAGE_CACHE_VERSION_FILE = os.environ.get("PAGE_CACHE_VERSION_FILE", "")
    # "json": one JSON object per log line with the request id (the default in production); "text" otherwise.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # How many proxies in front of the app set X-Forwarded-For/-Proto (1 behind nginx); 0 trusts none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The site's public address: every link that leaves the site (mails, QR codes) is built on it, never
    # on the request's Host header. Production refuses to start without it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "") or "http://127.0.0.1:5000"


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///" + str(INSTANCE_DIR / "test.db"))
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    DATA_ENCRYPTION_KEY = "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E="
    # Not the test client's "localhost": a link built from the request's host would show.
    PUBLIC_BASE_URL = "http://maeul.test"
    # A full-strength argon2 hash costs ~0.4 s of CPU; tests create thousands of accounts.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    STATS_CACHE_SECONDS = 0  # every test sees its own data
    PAGE_CACHE_SECONDS = 0  # tests of the page cache turn it on (tests/ops/test_page_cache.py)


class ProductionConfig(Config):
    REFUSE_DEVELOPMENT_SECRET_KEY = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # Read again without the development default: production must name its own address.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
