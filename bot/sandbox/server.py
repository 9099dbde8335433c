"""The sandbox: the real bot, a local fake Bot API and a chat page, all in one process and one event loop.

Every start (and every reset) begins afresh: the sandbox's own database is emptied and migrated, the plan
synced, the personas registered; the fake Bot API and the python-telegram-bot Application are new, and so
are the fake Zalo Bot API and the Zalo Application beside them. The dispatcher routes each delivery by its
chat key (bot.app.ChannelTable): a persona switched to Zalo gets its reminders there.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram.ext import Application

from bot.config import Config, ConfigError
from bot.db import addresses
from bot.db.audit import audit
from bot.db.engine import make_engine, migrate
from bot.db.lock import InstanceLock
from bot.db.models import DeliveryRow, MemberRow, ReminderRow
from bot.domain.clock import Clock, FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.digests import digest_renderer
from bot.engine.dispatcher import Dispatcher, DispatchSettings, SweepReport
from bot.engine.ratelimit import RateLimiter
from bot.engine.sync import sync_plan
from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.plans.loader import load_plan
from bot.runner import dispatch_settings
from bot.sandbox.clock import SandboxClock
from bot.sandbox.fake_zalo import ZaloUser
from bot.sandbox.feed import TELEGRAM, ZALO, ChatFeed, NotAPhoto, SandboxApi, SandboxZalo
from bot.sandbox.options import sandbox_clock_settings
from bot.sandbox.personas import Persona, personas_for, seed_personas
from bot.services.assumptions import confirm_all_for_rehearsal
from bot.services.closing import Closing, cli_actor, close_before
from bot.services.tasks import Event
from bot.texts import fmt_date

if TYPE_CHECKING:
    from bot.zalo.runtime import ZaloRuntime

log = logging.getLogger(__name__)

TOKEN = "700000:SANDBOX-NOT-A-REAL-TOKEN"
USERNAME = "nhacviec_sandbox_bot"


@dataclass
class BotStack:
    """What a reset replaces: clock, fake Bot API, Application, dispatcher, chat feed, and the Zalo side."""

    clock: Clock
    feed: ChatFeed
    api: SandboxApi
    app: Application  # type: ignore[type-arg]
    dispatcher: Dispatcher
    zalo: SandboxZalo
    zalo_runtime: ZaloRuntime
    zalo_users: dict[int, ZaloUser] = field(default_factory=dict)  # persona → its Zalo user, once switched
    on_zalo: set[int] = field(default_factory=set)  # personas whose chat is on Zalo now


def wipe_database(engine: Engine) -> None:
    """Drop every table (the sandbox's own database only), so migrations start from nothing."""
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)


def scratch_folder(path: Path) -> Path:
    """The evidence folder, which every start and reset empties: never the working folder or one above it."""
    resolved = path.expanduser().resolve()
    if resolved == Path.home() or Path.cwd().is_relative_to(resolved):
        raise ConfigError("sandbox.evidence_dir", [_(
            "{path}: this folder is emptied at every start of the sandbox; choose a folder of its own, "
            "e.g. data/sandbox-evidence").format(path=path)])
    return path


class Sandbox:
    """Start, reset and stop the sandbox; the web page (bot.sandbox.web) calls the persona actions."""

    def __init__(self, config: Config, *, clock_factory: Callable[[], Clock] | None = None,
                 sweep_interval: float | None = 1.0,
                 limiter_factory: Callable[[], RateLimiter] = RateLimiter) -> None:
        self.config = config
        self.plan = load_plan(config.plan)
        self.personas: dict[int, Persona] = {p.id: p for p in personas_for(self.plan)}
        self.zone = ZoneInfo(config.timezone)
        start, speed = sandbox_clock_settings(config)
        self.speed: float | None = speed if clock_factory is None else None  # shown on the page
        self._clock_factory = clock_factory or (lambda: SandboxClock(start, speed))
        self.sweep_interval = sweep_interval  # None: no job queue sweeps; call sweep() (tests)
        self._limiter_factory = limiter_factory
        self.evidence_dir = scratch_folder(Path(config.sandbox.evidence_dir))
        self.engine = make_engine(config.sandbox.database)
        self._lock = InstanceLock(self.engine, config.sandbox.database)
        self.epoch = 0
        self._stack: BotStack | None = None
        self._ready = asyncio.Event()
        self._resetting = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None  # the ticks ⏩ asked for, one at a time
        self._sweep_again = False
        self.closing: Closing | None = None  # what was closed before the rehearsal's start (each start and reset)
        from bot.sandbox.web import SandboxWeb

        self.web = SandboxWeb(self)

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Take the database's instance lock, open the page's port (fails early if taken), start the bot."""
        self._lock.acquire()
        try:
            await self.web.start(self.config.sandbox.host, self.config.sandbox.port)
            await self._start_stack()
        except BaseException:
            await self.web.stop()
            self._lock.close()
            raise

    async def stop(self) -> None:
        """Stop the page, the bot and the fake server; release the lock."""
        await self.web.stop()
        await self._stop_stack()
        self._lock.close()
        self.engine.dispose()

    async def reset(self) -> None:
        """Start over: empty chats, a fresh database with the personas, the clock back at its start."""
        async with self._resetting:
            await self._stop_stack()
            await self._start_stack()

    @property
    def url(self) -> str:
        """The chat page's address."""
        return self.web.url

    @property
    def stack(self) -> BotStack:
        """The running bot (RuntimeError between a reset's stop and start)."""
        if self._stack is None:
            raise RuntimeError("sandbox is not running")
        return self._stack

    async def ready(self) -> BotStack:
        """The running bot, waiting for a reset in progress to finish."""
        await self._ready.wait()
        return self.stack

    async def _start_stack(self) -> None:
        wipe_database(self.engine)
        migrate(self.engine)
        clock = self._clock_factory()
        sync_plan(self.engine, self.plan, WorkCalendar(), clock.now())
        with Session(self.engine) as session, session.begin():  # the rehearsal: as if the office confirmed all
            confirm_all_for_rehearsal(session, clock.now())
            self.closing = self._close_before_start(session, clock.now())
        seed_personas(self.engine, clock.now(), list(self.personas.values()))
        shutil.rmtree(self.evidence_dir, ignore_errors=True)
        self.evidence_dir.mkdir(parents=True, exist_ok=True)
        feed = ChatFeed(clock, self.zone)
        api = SandboxApi(feed, token=TOKEN, username=USERNAME)
        api.state.bot_user["first_name"] = _("Reform reminders (sandbox)")
        for persona in self.personas.values():
            api.state.user(persona.id, persona.name)
        await api.start()
        from bot.app import TelegramSetup, ZaloSetup, build_channels
        from bot.conversation.services import Services
        from bot.telegram.application import schedule_sweeps

        assert self.web.pages is not None  # the page's server started first
        links = self.web.pages.attach(clock)  # /trang, Zalo cards and /bangdieukhien: the chat page's address
        services = Services(self.engine, clock, WorkCalendar(), self.zone, self.evidence_dir,
                            self.plan.plan.ladder.send_time, zalo=True, links=links)
        zalo = SandboxZalo(feed)
        try:
            await zalo.start()
            channels = build_channels(services, TelegramSetup(api.token, api.base_url, api.base_file_url),
                                      ZaloSetup(zalo.token, zalo.base_url, self._limiter_factory(), poll_timeout=1,
                                                file_hosts=("127.0.0.1",)))
            app, runtime = channels.telegram, channels.zalo
            await app.initialize()
            await app.post_init(app)  # type: ignore[misc]  # run_polling would call it; we start by hand
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=2,
                                            allowed_updates=["message", "callback_query"])
            await runtime.start()
        except BaseException:
            await api.stop()
            await zalo.stop()
            raise
        dispatcher = Dispatcher(self.engine, channels.outbound, clock, self._limiter_factory(), self._settings(),
                                digest_renderer=digest_renderer(self.engine, self.zone), links=links)
        if self.sweep_interval is not None:
            schedule_sweeps(app, dispatcher, self.sweep_interval)
        self._stack = BotStack(clock, feed, api, app, dispatcher, zalo, runtime)
        self.epoch += 1
        self._ready.set()

    async def _stop_stack(self) -> None:
        self._ready.clear()
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        stack, self._stack = self._stack, None
        if stack is None:
            return
        try:
            try:
                await stack.zalo_runtime.stop()
            finally:
                if stack.app.updater is not None and stack.app.updater.running:
                    await stack.app.updater.stop()
                if stack.app.running:
                    await stack.app.stop()
                await stack.app.shutdown()
        finally:
            await stack.api.stop()
            await stack.zalo.stop()

    def _close_before_start(self, session: Session, now: datetime) -> Closing:
        """What the README asks of the office before deployment (`nhacviec close`): the deadlines due before the
        rehearsal's first day are closed, audited as the command-line tool's, so nobody starts 150 days late."""
        before = now.astimezone(self.zone).date()
        reason = _("Due before the rehearsal's first day ({date}): closed before deployment, as the department "
                   "office does before starting the bot.").format(date=fmt_date(before))
        return close_before(session, cli_actor(), before, reason, Event(now))

    def closing_note(self) -> str:
        """One sentence for the banner and the page: what was closed before the rehearsal ("" if nothing)."""
        if self.closing is None or not self.closing.closed:
            return ""
        return _("Before the rehearsal, the {count} deadlines due before {date} were closed, as the department "
                 "office does before starting the bot (nhacviec close).").format(
                     count=fmt_number(self.closing.closed), date=fmt_date(self.closing.before))

    def _settings(self) -> DispatchSettings:
        # The configured chat ids are real Telegram chats: the sandbox has only its personas.
        settings = dispatch_settings(self.config)
        digests = dataclasses.replace(settings.digests, chats=()) if settings.digests else None
        return dataclasses.replace(settings, leadership_chats=(), digests=digests)

    # --- time ----------------------------------------------------------------------------
    async def sweep(self) -> SweepReport:
        """One dispatcher tick now (tests drive time with this instead of waiting for the job queue)."""
        return await (await self.ready()).dispatcher.sweep()

    def next_event(self) -> datetime | None:
        """The next instant after now when a reminder, a retry or a weekly digest falls due."""
        stack = self.stack
        now = stack.clock.now()
        with Session(self.engine) as session:
            found = [session.scalar(select(func.min(ReminderRow.due_at)).where(
                         ReminderRow.state == "pending", ReminderRow.due_at > now)),
                     session.scalar(select(func.min(DeliveryRow.next_at)).where(
                         DeliveryRow.state == "pending", DeliveryRow.next_at > now))]
        digests = stack.dispatcher.settings.digests
        if digests is not None:
            found.append(digests.latest(now) + timedelta(days=7))
        return min((x for x in found if x is not None), default=None)

    @property
    def sending(self) -> bool:
        """A tick that ⏩ asked for is still sending."""
        return self._sweeper is not None and not self._sweeper.done()

    async def skip_to_next_event(self, wait: float | None = None) -> datetime | None:
        """Move the clock to the next event (a trainer's ⏩) and tick; None when nothing is left.

        The tick runs in the background, so ⏩ can be pressed again while its messages go out (the clock
        moves on; the later tick sends the rest). `wait` seconds at most are spent waiting for the tick
        (None: until it is done).
        """
        async with self._resetting:  # not while ↺ swaps the bot
            stack = await self.ready()
            target = self.next_event()
            if target is None:
                return None
            if isinstance(stack.clock, SandboxClock):
                stack.clock.jump(target)
            elif isinstance(stack.clock, FixedClock):
                stack.clock.set(max(target, stack.clock.now()))
            sweeper = self._kick(stack)
        await asyncio.wait({sweeper}, timeout=wait)
        return target

    def _kick(self, stack: BotStack) -> asyncio.Task[None]:
        """A tick at once rather than at the next one; if one is running, another right after it."""
        if self._sweeper is not None and not self._sweeper.done():
            self._sweep_again = True
            return self._sweeper
        self._sweep_again = True
        self._sweeper = asyncio.create_task(self._sweep_while_asked(stack))
        return self._sweeper

    async def _sweep_while_asked(self, stack: BotStack) -> None:
        while self._sweep_again:
            self._sweep_again = False
            try:  # a failure is the scheduled tick's to retry, not the page's
                await stack.dispatcher.sweep()
            except Exception:
                log.exception("sweep after ⏩ failed; the next tick retries")

    # --- personas ------------------------------------------------------------------------
    def persona(self, persona_id: int) -> Persona:
        """KeyError for an unknown persona."""
        return self.personas[persona_id]

    @staticmethod
    def _members_of(session: Session, persona_id: int) -> list[MemberRow]:
        """The persona's member rows: by its own id, or by a Zalo chat linked to it (a newcomer who joined on
        Zalo is registered under that chat's key)."""
        ids = {persona_id, *(row.key for row in addresses.chats_of(session, persona_id))}
        return list(session.scalars(select(MemberRow).where(MemberRow.user_id.in_(ids) | MemberRow.chat_id.in_(ids))
                                    .order_by(MemberRow.id)))

    def roles_of(self, persona_id: int) -> list[dict[str, str | None]]:
        """What the bot knows the persona as now (a newcomer becomes a head by accepting an invite)."""
        with Session(self.engine) as session:
            return [{"role": r.role, "unit": r.unit} for r in self._members_of(session, persona_id) if r.active]

    def channel_of(self, persona_id: int) -> str:
        """`zalo` while the persona's chat is on Zalo, else `telegram`."""
        return ZALO if persona_id in self.stack.on_zalo else TELEGRAM

    async def switch(self, persona_id: int, channel: str) -> int:
        """Move the persona's chat to `channel` (telegram or zalo); returns its chat key there.

        To Zalo: the persona gets a user in the fake Zalo (the same one each time until a reset), that chat's
        key is linked to the persona's identity, and its member rows point at the key, so reminders go there.
        Back to Telegram: the rows point at the persona's Telegram chat again. Audited as `channel_switched`.
        """
        if channel not in (TELEGRAM, ZALO):
            raise ValueError(channel)
        persona = self.persona(persona_id)
        stack = await self.ready()
        now = stack.clock.now()
        with Session(self.engine) as session, session.begin():
            if channel == ZALO:
                user = stack.zalo_users.get(persona.id)
                if user is None:
                    user = stack.zalo_users[persona.id] = stack.zalo.add_user(persona.name)
                    stack.zalo.personas[user.id] = persona.id
                key = addresses.zalo_key(session, user.id, persona.name, now)
                addresses.link(session, key, ZALO, user.id, persona.id, now)
            else:
                key = persona.id
            rows = self._members_of(session, persona.id)
            before = sorted({r.chat_id for r in rows})
            for row in rows:
                row.chat_id, row.user_id = key, persona.id
            audit(session, now, "sandbox", "channel_switched", f"persona:{persona.id}",
                  {"channel": channel, "chat_id": key, "before": before, "members": [r.id for r in rows]})
        if channel == ZALO:
            stack.on_zalo.add(persona.id)
        else:
            stack.on_zalo.discard(persona.id)
        return key

    async def say(self, persona_id: int, text: str) -> int:
        """The persona types `text` (a command or free text) in its chat on its channel."""
        persona = self.persona(persona_id)
        stack = await self.ready()
        if persona.id in stack.on_zalo:
            return await stack.zalo.say(persona.id, stack.zalo_users[persona.id], text)
        return stack.api.say(persona.id, text, persona.name)

    async def press(self, persona_id: int, message_id: int, data: str) -> None:
        """The persona presses an inline button (ValueError if that message has no such button, or on Zalo)."""
        persona = self.persona(persona_id)
        stack = await self.ready()
        if persona.id in stack.on_zalo:
            raise ValueError("Zalo has no buttons")
        stack.api.press(persona.id, message_id, data)

    async def upload(self, persona_id: int, file_name: str, content: bytes, mime_type: str,
                     caption: str | None = None) -> int:
        """The persona sends a file: a document on Telegram; on Zalo only a photo (NotAPhoto otherwise)."""
        persona = self.persona(persona_id)
        stack = await self.ready()
        if persona.id in stack.on_zalo:
            if not mime_type.startswith("image/"):
                note = _("Zalo brings only photos to the bot. Send a document (PDF, Word, Excel…) through your "
                         "personal page, or on Telegram (switch the channel above to Telegram).")
                stack.feed.alert(persona.id, note, ZALO)
                raise NotAPhoto(note)
            return await stack.zalo.photo(persona.id, stack.zalo_users[persona.id], content, caption)
        return stack.api.upload(persona.id, file_name, content, mime_type, caption, persona.name)
