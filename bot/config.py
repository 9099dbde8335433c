"""config.yaml as pydantic models; one ConfigError lists every problem, each naming its key."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.domain.clock import Clock, RehearsalClock, SystemClock
from bot.domain.text import nfc
from bot.i18n import N_, _


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def database_url_problem(url: str) -> str | None:
    """Why SQLAlchemy cannot use `url` (bad form, unknown dialect or driver), or None when it can."""
    try:
        create_engine(make_url(url)).dispose()  # parses and imports the driver; connects to nothing
    except (NoSuchModuleError, ImportError) as exc:  # NoSuchModuleError is an ArgumentError: first
        return _("unknown database kind or driver ({detail}); use sqlite:/// or "
                 "postgresql+psycopg://").format(detail=str(exc)[:80])
    except (ArgumentError, ValueError, TypeError):
        return _("not a database URL; e.g. sqlite:///data/nhacviec.db or "
                 "postgresql+psycopg://user@host/dbname")
    return None


def _database_url(value: str) -> str:
    problem = database_url_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class DatabaseConfig(_Strict):
    url: str = "sqlite:///data/nhacviec.db"
    # `run` with the database not answering: retry this long (seconds, with back-off), then exit 2; 0: exit 2 at once
    start_wait_seconds: float = Field(default=0, ge=0, le=86400)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _database_url(value)


# Telegram's X-Telegram-Bot-Api-Secret-Token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookConfig(_Strict):
    url: str
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    # Required: without it anyone who finds the webhook's address can post updates claiming any user id.
    secret_token: SecretStr | None = Field(default=None, validate_default=True)

    @field_validator("secret_token")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr:
        if value is None or not value.get_secret_value():
            raise ValueError(_("webhook mode needs a secret: set telegram.webhook.secret_token "
                               "(1-256 characters A-Z, a-z, 0-9, _ or -)"))
        if not SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(_("may contain only A-Z, a-z, 0-9, _ and -, 1 to 256 characters"))
        return value


class TelegramConfig(_Strict):
    token: SecretStr | None = None
    base_url: str | None = None
    base_file_url: str | None = None
    webhook: WebhookConfig | None = None


class ZaloWebhookConfig(_Strict):
    url: str
    listen: str = "127.0.0.1"
    port: int = Field(default=8446, ge=1, le=65535)
    path: str = "/zalo"
    # Required: Zalo sends it back in X-Bot-Api-Secret-Token; without it anyone could post events.
    secret_token: SecretStr | None = Field(default=None, validate_default=True)

    @field_validator("secret_token")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr:
        if value is None or not (8 <= len(value.get_secret_value()) <= 256):
            raise ValueError(_("the Zalo webhook needs a secret: set zalo.webhook.secret_token "
                               "(8-256 characters)"))
        return value


# Zalo serves photos from its CDN domains (and their subdomains, e.g. f21-zpc.zdn.vn).
ZALO_FILE_HOSTS: tuple[str, ...] = ("zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com")


class ZaloConfig(_Strict):
    """The Zalo Bot channel: on when a token is set (zalo.token or ZALO_BOT_TOKEN)."""

    token: SecretStr | None = None
    base_url: str = "https://bot-api.zaloplatforms.com"
    webhook: ZaloWebhookConfig | None = None  # none: long polling (development)
    # The platform publishes no limit: conservative by default.
    rate_per_second: int = Field(default=5, ge=1, le=100)
    # Photos are fetched only from these hosts (and their subdomains); a host listed by exact name may be
    # on a private network (a test server), the defaults (Zalo's CDN) may not.
    file_hosts: list[str] = Field(default_factory=lambda: list(ZALO_FILE_HOSTS))


class WebConfig(_Strict):
    """The personal page (bot.web): on when `base_url` is set; served behind the same TLS proxy."""

    base_url: str | None = None  # e.g. https://nhacviec.example.gov.vn (links are accepted only there)
    listen: str = "127.0.0.1"
    port: int = Field(default=8445, ge=1, le=65535)
    secret_env: str = "NHACVIEC_WEB_SECRET"  # the signing key comes from this environment variable
    secret: SecretStr | None = None  # or from here (the environment wins)
    link_days: int = Field(default=30, ge=1, le=365)

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^/\s]+(/[^\s]*)?", value):
            raise ValueError(_("must be the page's address, e.g. https://nhacviec.example.gov.vn"))
        return value.rstrip("/") if value else value

    def signing_key(self) -> str | None:
        env = os.environ.get(self.secret_env)
        if env:
            return env
        return self.secret.get_secret_value() if self.secret else None


class ClockConfig(_Strict):
    start: datetime | None = None
    speed: float = Field(default=1.0, gt=0, le=100000)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(_("needs a time zone, e.g. 2019-11-13T07:59:00+07:00"))
        return value


class StorageConfig(_Strict):
    evidence_dir: str = "data/evidence"


class DispatchConfig(_Strict):
    interval_seconds: float = Field(default=5, gt=0, le=10)
    stale_after_days: float = Field(default=7, gt=0)
    late_after_minutes: float = Field(default=15, ge=0)
    lease_seconds: float = Field(default=120, gt=0)
    concurrency: int = Field(default=4, ge=1, le=30)
    # Telegram allows about 30 messages/s per bot. On PostgreSQL every process shares this budget (no 30/N).
    rate_per_second: int = Field(default=30, ge=1, le=1000)
    batch_size: int = Field(default=500, ge=1, le=10000)
    shutdown_grace_seconds: float = Field(default=10, ge=0, le=120)  # in-flight sends may finish after a stop
    keep_updates_days: float = Field(default=7, gt=0)  # processed update ids (duplicate guard)
    keep_exports_days: float = Field(default=30, gt=0)  # export folders left by /xuat
    # Archived (compressed JSON lines next to the evidence folder, `archive/`), then deleted from the database:
    keep_deliveries_days: float = Field(default=400, gt=0)  # sent, failed, skipped deliveries
    keep_reminders_days: float = Field(default=400, gt=0)  # reminders no longer pending, with no delivery left
    keep_audit_days: float = Field(default=3653, ge=3653)  # the audit log: 10 years at least (bot/engine/prune.py)


class SandboxConfig(_Strict):
    """`nhacviec run` without a token: a local Bot API and a chat page; its own database, never `database.url`."""

    enabled: bool = True  # false on servers: a missing token is then an error, not a sandbox
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    database: str = "sqlite:///data/sandbox.db"
    evidence_dir: str = "data/sandbox-evidence"

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        return _database_url(value)


_DAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
         "thu2": 0, "thu3": 1, "thu4": 2, "thu5": 3, "thu6": 4, "thu7": 5, "chunhat": 6}


class DigestConfig(_Strict):
    day: str = "friday"
    time: str = "16:00"
    enabled: bool = True

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        if value.lower() not in _DAYS:
            raise ValueError(_("not a day of the week: {value}; use one of: {days}")
                             .format(value=repr(value), days=", ".join(_DAYS)))
        return value.lower()

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError(_("the sending time must be a quoted \"HH:MM\" string, e.g. \"16:00\" "
                               "(without quotes YAML reads 16:00 as a number)"))
        return value.strip()

    @property
    def weekday(self) -> int:
        return _DAYS[self.day]


class EmailConfig(_Strict):
    """SMTP for digests (and reminders when `reminders: true`); the password comes from the environment."""

    enabled: bool = False
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    user: str | None = None
    password_env: str = "NHACVIEC_SMTP_PASSWORD"
    sender: str = "nhacviec@localhost"
    reminders: bool = False
    office: list[str] = []
    leadership: list[str] = []

    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


class LoggingConfig(_Strict):
    """The log: one line per event in the operator's language; `json` for a log collector."""

    format: Literal["text", "json"] = "text"


class Config(_Strict):
    """The whole configuration file (see config.example.yaml)."""

    plan: str = "schedules/cchc-2019-2020.yaml"
    plans: list[str] = []  # several plans at once: files or folders of *.yaml (empty: `plan` alone)
    timezone: str = "Asia/Ho_Chi_Minh"
    database: DatabaseConfig = DatabaseConfig()
    telegram: TelegramConfig = TelegramConfig()
    zalo: ZaloConfig = ZaloConfig()
    web: WebConfig = WebConfig()
    admins: list[int] = []
    leadership_chats: list[int] = []
    digest: DigestConfig = DigestConfig()
    digest_chats: list[int] = []
    email: EmailConfig = EmailConfig()
    clock: ClockConfig = ClockConfig()
    storage: StorageConfig = StorageConfig()
    dispatch: DispatchConfig = DispatchConfig()
    sandbox: SandboxConfig = SandboxConfig()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    logging: LoggingConfig = LoggingConfig()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("unknown time zone {value}; e.g. Asia/Ho_Chi_Minh").format(value=repr(value))) from None
        return value
    def plan_paths(self) -> list[str]:
        """The plan files and folders to load (bot.plans.loader.load_plans)."""
        return list(self.plans) or [self.plan]

    def token(self) -> str | None:
        """Env TELEGRAM_BOT_TOKEN wins over telegram.token."""
        env = os.environ.get("TELEGRAM_BOT_TOKEN")
        if env:
            return env
        return self.telegram.token.get_secret_value() if self.telegram.token else None

    def zalo_token(self) -> str | None:
        """Env ZALO_BOT_TOKEN wins over zalo.token."""
        env = os.environ.get("ZALO_BOT_TOKEN")
        if env:
            return env
        return self.zalo.token.get_secret_value() if self.zalo.token else None

    def make_clock(self) -> Clock:
        """The one clock: a rehearsal clock when clock.start is set, else system time."""
        if self.clock.start is not None:
            return RehearsalClock(self.clock.start, self.clock.speed)
        return SystemClock()


class ConfigError(Exception):
    """A configuration that cannot be used; lists every problem."""

    def __init__(self, file: str, problems: list[str]) -> None:
        super().__init__(f"{file}: " + "; ".join(problems))
        self.file = file
        self.problems = problems

    def render(self) -> str:
        head = _("Configuration {file} has {count} error(s):").format(file=self.file, count=len(self.problems))
        return "\n".join([head] + [f"  {p}" for p in self.problems])


_KINDS = {"extra_forbidden": N_("key not supported (misspelt?)"), "missing": N_("a required value is missing"),
          "int_parsing": N_("must be a whole number"), "int_type": N_("must be a whole number"),
          "float_parsing": N_("must be a number"), "datetime_from_date_parsing": N_("must be an ISO 8601 instant"),
          "datetime_parsing": N_("must be an ISO 8601 instant, e.g. 2019-11-13T07:59:00+07:00"),
          "greater_than": N_("must be greater than {gt}"), "greater_than_equal": N_("must be at least {ge}"),
          "less_than_equal": N_("must be at most {le}"), "literal_error": N_("must be one of: {expected}"),
          "list_type": N_("must be a list"), "string_type": N_("must be text"),
          "bool_parsing": N_("must be true or false"),
          "dict_type": N_("must be a table of key: value"), "model_type": N_("must be a table of key: value")}


def _describe(error: Any) -> str:
    path = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    text = _(_KINDS[kind]) if kind in _KINDS else None
    if text is None:
        text = str(error["msg"]).removeprefix("Value error, ")
    try:
        text = text.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        pass
    return f"{path}: {text}" if path else text


DATABASE_URL_ENV = "NHACVIEC_DATABASE_URL"  # wins over database.url


def load_config(path: str | Path | None) -> Config:
    """Read config.yaml (or defaults when no file is given)."""
    if path is None:
        return Config()
    file = str(path)
    try:
        data = yaml.safe_load(nfc(Path(path).read_text(encoding="utf-8")))  # Unikey NFD → one form
    except FileNotFoundError:
        raise ConfigError(file, [_("configuration file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(file, [_("cannot read the configuration file ({detail})").format(detail=exc)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}, column {column}: ").format(line=mark.line + 1, column=mark.column + 1) if mark else ""
        raise ConfigError(file, [where + _("YAML syntax error ({detail})").format(
            detail=getattr(exc, "problem", exc))]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(file, [_("the configuration file must be a table of key: value")])
    if os.environ.get(DATABASE_URL_ENV):  # the database's password stays out of the file (deploy/env.example)
        database = data.get("database")
        data["database"] = {**(database if isinstance(database, dict) else {}),
                            "url": os.environ[DATABASE_URL_ENV]}
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(file, [_describe(e) for e in exc.errors(include_url=False)]) from None


def engine_config_error(exc: Exception, config: Config | None = None) -> ConfigError:
    """A ConfigError naming the key behind an error raised while building the engine or the clock
    (for a Config built without `load_config`, which checks both keys)."""
    if isinstance(exc, ZoneInfoNotFoundError):
        return ConfigError("config", ["timezone: " + _("unknown time zone {value}; e.g. Asia/Ho_Chi_Minh")
                                      .format(value=str(exc)[:80])])
    problem = (database_url_problem(config.database.url) if config is not None else None) or str(exc)[:200]
    return ConfigError("config", [f"database.url: {problem}"])
