"""/kenh stays one message under Telegram's 4,096 characters however many people there are."""

from __future__ import annotations

from bot.conversation.channels import people_text
from bot.i18n import language
from bot.services.channels import Person


def _person(i: int) -> Person:
    return Person((i,), f"Nguyễn Văn Người Thứ {i}", (("head", f"DV{i}"),), True, f"Zalo {i}",
                  f"nguoi{i}@so-gddt.vn", None, "email" if i % 2 else "telegram", f"nguoi{i}@so-gddt.vn")


def test_a_long_list_is_capped_with_a_count_of_the_rest() -> None:
    with language("vi"):
        text = people_text([_person(i) for i in range(1, 301)])
    assert len(text) <= 4096
    shown = text.count("Nhận tin qua:")
    assert 10 < shown < 300 and f"… và {300 - shown} người khác" in text
    assert "Nhận tin qua: e-mail nguoi1@so-gddt.vn" in text and "Nhận tin qua: Telegram" in text


def test_a_short_list_shows_everyone_without_a_count() -> None:
    with language("vi"):
        text = people_text([_person(1), _person(2)])
    assert text.count("Nhận tin qua:") == 2 and "người khác" not in text
