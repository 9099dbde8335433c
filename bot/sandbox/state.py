"""Telegram's side of the fake Bot API: chats, messages, files and method handlers."""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024

class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional retry_after."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        """The JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass
class StoredFile:
    """A file the fake server can hand out through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes = field(repr=False)

    @property
    def file_size(self) -> int:
        """Size in bytes."""
        return len(self.content)


@dataclass
class SentMessage:
    """A message the bot delivered (or an edit it made), as seen by the fake server."""

    message_id: int
    chat_id: int
    method: str
    text: str | None = None
    caption: str | None = None
    reply_markup: JSONDict | None = None
    parse_mode: str | None = None
    document: JSONDict | None = None
    photo: JSONDict | None = None
    at: float = 0.0


_ALLOWED_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "tg-emoji", "code", "pre", "blockquote"}
)
_MD2_RESERVED = frozenset("#+-={}.!")


class _TelegramHtmlChecker(HTMLParser):
    """Rejects the HTML Telegram rejects: unknown tags and unbalanced nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_markdown_v2(text: str) -> str:
    """Flag MarkdownV2 characters that must always be escaped outside code and link URLs."""
    i, in_code, in_url = 0, False, False
    plain: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            plain.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif in_url:
            in_url = ch != ")"
        elif not in_code and ch == "(" and i > 0 and text[i - 1] == "]":
            in_url = True
        elif not in_code and ch in _MD2_RESERVED:
            raise bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        if ch not in "*_~|`[]" and not in_url:
            plain.append(ch)
        i += 1
    return "".join(plain)


def visible_text(text: str, parse_mode: str | None) -> str:
    """Validate formatting like Telegram and return the text a user would see."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        checker = _TelegramHtmlChecker()
        checker.feed(text)
        checker.close()
        if checker.stack:
            raise bad_request(
                f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
            )
        return html.unescape("".join(checker.text_parts))
    if mode == "markdownv2":
        return _check_markdown_v2(text)
    return text


def check_reply_markup(markup: object) -> JSONDict | None:
    """Validate reply_markup the way Telegram does for the parts we care about."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        if not isinstance(row, list):
            raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def chat_id_of(params: JSONDict) -> int:
    """The integer chat_id of a request; @usernames are unknown chats here."""
    value = params.get("chat_id")
    if isinstance(value, bool) or not isinstance(value, int):
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        raise bad_request("chat not found")
    return value


class BotState:
    """Chats, messages, files and bot settings behind the fake Bot API."""

    def __init__(
        self,
        bot_id: int,
        username: str,
        time_source: Callable[[], float],
        admit: Callable[[int], None],
        on_sent: Callable[[SentMessage], None],
    ) -> None:
        self.bot_user: JSONDict = {
            "id": bot_id, "is_bot": True, "first_name": "nhacviec (test)", "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.users: dict[int, JSONDict] = {}
        self.messages: dict[tuple[int, int], JSONDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[str, list[JSONDict]] = {}
        # Every edit of a message, oldest first: (chat_id, message_id) → [{method, text, reply_markup}].
        self.edits: dict[tuple[int, int], list[JSONDict]] = {}
        self.deleted: set[tuple[int, int]] = set()
        self.webhook_url = ""
        self._time = time_source
        self._admit = admit
        self._on_sent = on_sent
        self._next_id: dict[int, int] = {}
        self._file_seq = itertools.count(1)

    # --- model helpers -------------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        """Message ids rise per chat from 1, shared by the bot and the user like Telegram."""
        self._next_id[chat_id] = self._next_id.get(chat_id, 0) + 1
        return self._next_id[chat_id]

    def user(self, user_id: int, first_name: str | None = None, username: str | None = None) -> JSONDict:
        """The User object for user_id, remembering names given earlier."""
        known = self.users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": "Test"})
        if first_name is not None:
            known["first_name"] = first_name
        if username is not None:
            known["username"] = username
        return dict(known)

    def chat(self, chat_id: int) -> JSONDict:
        """The Chat object: positive ids are private chats, negative ones groups."""
        if chat_id > 0:
            user = self.users.get(chat_id, {"first_name": "Test"})
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            return chat
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": kind, "title": f"Test group {-chat_id}"}

    def store_file(self, content: bytes, file_name: str, mime_type: str, folder: str = "documents") -> StoredFile:
        """Keep a file so getFile and downloads can serve it."""
        seq = next(self._file_seq)
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"FILE{seq:06d}-{folder}", file_unique_id=f"U{seq:06d}",
            file_path=f"{folder}/file_{seq}.{suffix}", file_name=file_name, mime_type=mime_type,
            content=content,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def document_dict(stored: StoredFile) -> JSONDict:
        """The Document object for a stored file."""
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": stored.file_name, "mime_type": stored.mime_type,
                "file_size": stored.file_size}

    @staticmethod
    def photo_sizes(stored: StoredFile, width: int = 1280, height: int = 720) -> list[JSONDict]:
        """PhotoSize list for a stored picture (a single size is enough for clients)."""
        return [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "width": width, "height": height, "file_size": stored.file_size}]

    def new_message(self, chat_id: int, sender: JSONDict, **content: Any) -> JSONDict:
        """Create, store and return a Message object in chat_id."""
        message: JSONDict = {
            "message_id": self.next_message_id(chat_id), "date": int(time.time()),
            "chat": self.chat(chat_id), "from": sender,
        }
        message.update({k: v for k, v in content.items() if v is not None})
        self.messages[(chat_id, message["message_id"])] = message
        return message

    # --- Bot API methods -------------------------------------------------------------------
    def _reply_target(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters") or {}
        target_id = reply.get("message_id") if isinstance(reply, dict) else None
        target_id = target_id or params.get("reply_to_message_id")
        if not target_id:
            return None
        if not isinstance(target_id, int):
            raise bad_request("message to be replied not found")
        target = self.messages.get((chat_id, target_id))
        allow = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply"))
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _deliver(self, method: str, chat_id: int, params: JSONDict, **content: Any) -> JSONDict:
        # Only new messages pass the flood gate: edits answering a button press would trip a
        # 1 msg/s per-chat window that Telegram does not apply to them in practice.
        markup = check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat_id, params)
        self._admit(chat_id)
        inline = markup if markup and "inline_keyboard" in markup else None
        message = self.new_message(chat_id, dict(self.bot_user), reply_markup=inline,
                                   reply_to_message=reply_to, **content)
        document = content.get("document")
        photo = content.get("photo")
        self._on_sent(SentMessage(
            message_id=message["message_id"], chat_id=chat_id, method=method,
            text=content.get("text"), caption=content.get("caption"), reply_markup=markup,
            parse_mode=params.get("parse_mode"), document=document, photo=photo[-1] if photo else None,
            at=self._time(),
        ))
        return message

    def _caption(self, params: JSONDict) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        shown = visible_text(str(caption), params.get("parse_mode"))
        if _utf16_len(shown) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return str(caption)

    def _checked_text(self, params: JSONDict) -> str:
        text = params.get("text")
        text = "" if text is None else str(text)
        shown = visible_text(text, params.get("parse_mode"))
        if not shown.strip():
            raise bad_request("message text is empty")
        if _utf16_len(shown) > MAX_TEXT:
            raise bad_request("message is too long")
        return text

    def send_message(self, params: JSONDict) -> JSONDict:
        """sendMessage."""
        chat_id = chat_id_of(params)
        text = self._checked_text(params)
        return self._deliver("sendMessage", chat_id, params, text=text)

    def _incoming_file(self, params: JSONDict, key: str, default_mime: str, folder: str) -> StoredFile:
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            if len(value.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            return self.store_file(value.content, value.filename or "file",
                                   value.content_type or default_mime, folder)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.store_file(b"", name, default_mime, folder)
        if not value:
            raise bad_request(f"there is no {key} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def send_document(self, params: JSONDict) -> JSONDict:
        """sendDocument."""
        chat_id = chat_id_of(params)
        caption = self._caption(params)
        stored = self._incoming_file(params, "document", "application/octet-stream", "documents")
        return self._deliver("sendDocument", chat_id, params, caption=caption,
                             document=self.document_dict(stored))

    def send_photo(self, params: JSONDict) -> JSONDict:
        """sendPhoto."""
        chat_id = chat_id_of(params)
        caption = self._caption(params)
        stored = self._incoming_file(params, "photo", "image/jpeg", "photos")
        return self._deliver("sendPhoto", chat_id, params, caption=caption,
                             photo=self.photo_sizes(stored))

    def _target(self, params: JSONDict, verb: str) -> tuple[int, JSONDict]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake server")
        chat_id = chat_id_of(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise bad_request(f"message to {verb} not found")
        return chat_id, message

    def _record_edit(self, method: str, chat_id: int, message: JSONDict, params: JSONDict) -> None:
        self.edits.setdefault((chat_id, message["message_id"]), []).append(
            {"method": method, "text": message.get("text"), "reply_markup": message.get("reply_markup")})
        self._on_sent(SentMessage(
            message_id=message["message_id"], chat_id=chat_id, method=method,
            text=message.get("text"), caption=message.get("caption"),
            reply_markup=params.get("reply_markup"), parse_mode=params.get("parse_mode"),
            at=self._time(),
        ))

    def _check_editable(self, message: JSONDict) -> None:
        if message["from"].get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")

    def edit_message_text(self, params: JSONDict) -> JSONDict:
        """editMessageText."""
        chat_id, message = self._target(params, "edit")
        self._check_editable(message)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text = self._checked_text(params)
        markup = check_reply_markup(params.get("reply_markup"))
        inline = markup if markup and "inline_keyboard" in markup else None
        if message.get("text") == text and message.get("reply_markup") == inline:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message.pop("reply_markup", None)
        if inline:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageText", chat_id, message, params)
        return message

    def edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """editMessageReplyMarkup."""
        chat_id, message = self._target(params, "edit")
        self._check_editable(message)
        markup = check_reply_markup(params.get("reply_markup"))
        inline = markup if markup and "inline_keyboard" in markup else None
        if message.get("reply_markup") == inline:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.pop("reply_markup", None)
        if inline:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())
        self._record_edit("editMessageReplyMarkup", chat_id, message, params)
        return message

    def delete_message(self, params: JSONDict) -> bool:
        """deleteMessage."""
        chat_id, message = self._target(params, "delete")
        if chat_id < 0 and message["from"].get("id") != self.bot_user["id"]:
            raise bad_request("message can't be deleted")  # a bot that is not an admin: only its own in groups
        del self.messages[(chat_id, message["message_id"])]
        self.deleted.add((chat_id, message["message_id"]))
        return True

    def get_file(self, params: JSONDict) -> JSONDict:
        """getFile."""
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size, "file_path": stored.file_path}

    def get_chat(self, params: JSONDict) -> JSONDict:
        """getChat (ChatFullInfo needs accent_color_id and max_reaction_count too)."""
        chat = self.chat(chat_id_of(params))
        chat.update({"accent_color_id": 0, "max_reaction_count": 11})
        return chat

    @staticmethod
    def _scope_key(params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def set_my_commands(self, params: JSONDict) -> bool:
        """setMyCommands."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
        self.commands[self._scope_key(params)] = commands
        return True

    def get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """getMyCommands."""
        return self.commands.get(self._scope_key(params), [])

    def delete_my_commands(self, params: JSONDict) -> bool:
        """deleteMyCommands."""
        self.commands.pop(self._scope_key(params), None)
        return True
