"""config.yaml as pydantic models; one ConfigError lists every problem, in Vietnamese."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from bot.domain.clock import Clock, RehearsalClock, SystemClock


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Strict):
    url: str = "sqlite:///data/nhacviec.db"


class WebhookConfig(_Strict):
    url: str
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: SecretStr | None = None


class TelegramConfig(_Strict):
    token: SecretStr | None = None
    base_url: str | None = None
    base_file_url: str | None = None
    webhook: WebhookConfig | None = None


class ClockConfig(_Strict):
    start: datetime | None = None
    speed: float = Field(default=1.0, gt=0, le=100000)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("clock.start cần có múi giờ, ví dụ 2019-11-13T07:59:00+07:00")
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


class SandboxConfig(_Strict):
    """`nhacviec run` without a token: a local Bot API and a chat page; its own database, never `database.url`."""

    enabled: bool = True  # false on servers: a missing token is then an error, not a sandbox
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    database: str = "sqlite:///data/sandbox.db"
    evidence_dir: str = "data/sandbox-evidence"


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
            raise ValueError(f"ngày trong tuần không hợp lệ: {value!r}; dùng một trong: {', '.join(_DAYS)}")
        return value.lower()

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> str:
        import re

        if not isinstance(value, str) or not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("giờ gửi phải là chuỗi \"HH:MM\" trong ngoặc kép, ví dụ \"16:00\" "
                             "(không có ngoặc kép YAML đọc 16:00 thành số)")
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


class Config(_Strict):
    """The whole configuration file (see config.example.yaml)."""

    plan: str = "schedules/cchc-2019-2020.yaml"
    timezone: str = "Asia/Ho_Chi_Minh"
    database: DatabaseConfig = DatabaseConfig()
    telegram: TelegramConfig = TelegramConfig()
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

    def token(self) -> str | None:
        """Env TELEGRAM_BOT_TOKEN wins over telegram.token."""
        env = os.environ.get("TELEGRAM_BOT_TOKEN")
        if env:
            return env
        return self.telegram.token.get_secret_value() if self.telegram.token else None

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
        lines = [f"Cấu hình {self.file} có {len(self.problems)} lỗi:"] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def _describe(error: Any) -> str:
    path = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    text = {"extra_forbidden": "khóa không được hỗ trợ (gõ sai tên?)", "missing": "thiếu giá trị bắt buộc",
            "int_parsing": "phải là số nguyên", "int_type": "phải là số nguyên",
            "float_parsing": "phải là số", "datetime_from_date_parsing": "phải là thời điểm ISO 8601",
            "datetime_parsing": "phải là thời điểm ISO 8601, ví dụ 2019-11-13T07:59:00+07:00",
            "greater_than": "phải lớn hơn {gt}", "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
            "literal_error": "phải là một trong: {expected}", "list_type": "phải là một danh sách"}.get(kind)
    if text is None:
        text = str(error["msg"]).removeprefix("Value error, ")
    try:
        text = text.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        pass
    return f"{path}: {text}" if path else text


def load_config(path: str | Path | None) -> Config:
    """Read config.yaml (or defaults when no file is given)."""
    if path is None:
        return Config()
    file = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(file, ["không tìm thấy tệp cấu hình"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}: " if mark else ""
        raise ConfigError(file, [f"{where}lỗi cú pháp YAML ({getattr(exc, 'problem', exc)})"]) from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(file, ["tệp cấu hình phải là một bảng khóa: giá trị"])
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(file, [_describe(e) for e in exc.errors(include_url=False)]) from None
