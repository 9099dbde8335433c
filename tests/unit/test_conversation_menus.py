"""The text-channel reply rules of bot.conversation.menus, without any channel (milliseconds)."""

from __future__ import annotations

import pytest

from bot.conversation.incoming import Choice, Command, Text, parse_text
from bot.conversation.menus import Confirm, Menu, Stale, read_reply
from bot.views import actions

CARD = Menu({"1": actions.done(12), "2": actions.evidence(12), "3": actions.blocker(12)},
            {"1": "✅ Hoàn thành", "2": "📎 Gửi tài liệu", "3": "⚠️ Báo vướng mắc"}, message=7, last=7, text="Thẻ")


def test_a_number_of_the_latest_menu_is_its_choice() -> None:
    assert read_reply("1", CARD) == Choice("done:12")
    assert read_reply(" 3. ", CARD) == Choice("blk:12")


def test_a_number_the_menu_did_not_offer_is_stale() -> None:
    assert read_reply("7", CARD) == Stale("7")


def test_an_irreversible_choice_after_other_messages_asks_to_confirm_a_reversible_one_does_not() -> None:
    later = Menu(CARD.replies, CARD.labels, message=7, last=9, text="Thẻ")
    assert read_reply("1", later) == Confirm("done:12", "✅ Hoàn thành")
    assert read_reply("2", later) == Choice("ev:12")


@pytest.mark.parametrize("wait", ["metric", "blocker", "return", "blocker_reply"])
def test_a_prompt_waiting_for_text_owns_a_bare_number(wait: str) -> None:
    assert read_reply("1", CARD, wait) == Text("1")


def test_the_evidence_wait_still_takes_its_numbered_choice() -> None:
    assert read_reply("1", CARD, "evidence") == Choice("done:12")


@pytest.mark.parametrize("word", ["Hủy", "huỷ", "HUY", " cancel "])
def test_the_way_out_is_a_word_even_while_waiting(word: str) -> None:
    assert read_reply(word, CARD, "blocker") == Choice(actions.cancel_wait())


def test_commands_and_text_pass_through() -> None:
    assert read_reply("/viec", CARD, "blocker") == Command("viec")
    assert parse_text("/nhiemvu@nhacviec_bot 5.2") == Command("nhiemvu", ("5.2",))
    assert read_reply("thôi, không báo nữa", CARD) == Text("thôi, không báo nữa")
    assert read_reply("5", Menu()) == Text("5")  # no menu drawn yet: a number is a message


def test_every_action_prefix_the_chat_routes_is_in_the_one_table() -> None:
    from bot.conversation.router import CHOICES

    assert set(CHOICES) == set(actions.KINDS)  # one table: every kind routed, every route a kind
