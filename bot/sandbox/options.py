"""`nhacviec run --rehearsal START --speed N --port P`: command-line overrides of the configuration."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.config import ClockConfig, Config
from bot.i18n import _

# The bundled plan's demonstration: two minutes before the 08:00 reminders of Thursday 14/11/2019
# ("3 working days left" for the results due before 20/11); at 60× they arrive after two seconds.
DEMO_START = datetime.fromisoformat("2019-11-14T07:58:00+07:00")
DEMO_SPEED = 60.0


def parse_instant(value: str, zone: ZoneInfo) -> datetime:
    """ISO 8601 (an offset, or local time in `zone`) or `dd/mm/yyyy HH:MM` local time; ValueError otherwise."""
    text = value.strip()
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            pass
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_("invalid moment: {value!r} (write 2019-11-13T07:59:00+07:00 or \"13/11/2019 07:59\")")
                         .format(value=value)) from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=zone)


def with_run_options(config: Config, rehearsal: str | None, speed: float | None, port: int | None) -> Config:
    """The configuration with the flags of `run` applied (flags win over the file); ValueError on bad values."""
    updates: dict[str, object] = {}
    if rehearsal is not None or speed is not None:
        start = parse_instant(rehearsal, ZoneInfo(config.timezone)) if rehearsal is not None else config.clock.start
        try:
            updates["clock"] = ClockConfig(start=start, speed=config.clock.speed if speed is None else speed)
        except ValidationError as exc:
            raise ValueError("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())) from None
    if port is not None:
        if not 0 <= port <= 65535:
            raise ValueError(_("invalid port: {port} (0 to 65535)").format(port=port))
        updates["sandbox"] = config.sandbox.model_copy(update={"port": port})
    return config.model_copy(update=updates) if updates else config


def sandbox_clock_settings(config: Config) -> tuple[datetime, float]:
    """Start and speed for the sandbox: the configured clock, else the bundled plan's 20/11 demonstration.

    Without a start, speed 1 (the default, and config.example.yaml's) means "system time" for the real bot;
    the sandbox then plays the demonstration at 60×, unless another speed was asked for.
    """
    if config.clock.start is not None:
        return config.clock.start, config.clock.speed
    return DEMO_START, DEMO_SPEED if config.clock.speed == 1 else config.clock.speed
