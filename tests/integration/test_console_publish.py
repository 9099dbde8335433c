"""The plan applied from the console: the draft's YAML checked, written where the server reads its plans, synced."""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow, TaskRow
from tests.conftest import MINI_PLAN, ROOT
from tests.integration.console_world import World
from tests.integration.test_console import csrf_of, page, post, signed_in, site

__all__ = ["site"]

SOURCE = ROOT / "tests" / "data" / "import" / "ke-hoach-2026-trong-tam.txt"


def _plans_folder(world: World, tmp_path: Path) -> Path:
    """The folder the configuration reads (`plans: [folder]`), holding the plan in force (mini.yaml)."""
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(MINI_PLAN, folder / "mini.yaml")
    world.services.plan_paths = [str(folder)]
    return folder


async def _draft(client: aiohttp.ClientSession, world: World) -> tuple[str, str]:
    """Upload the Director's plan; the draft page's YAML (the textarea) and its anti-forgery value."""
    _status, html = await page(client, "/console/plan")
    form = aiohttp.FormData()
    form.add_field("csrf", csrf_of(html))
    form.add_field("file", SOURCE.read_bytes(), filename=SOURCE.name, content_type="text/plain")
    status, html = await post(client, world, "/console/plan/import", form)  # type: ignore[arg-type]
    assert status == 200 and 'id="plantext"' in html and "Áp dụng kế hoạch" in html, html[-800:]
    found = re.search(r'<textarea id="plantext"[^>]*>(.*?)</textarea>', html, re.S)
    assert found
    return htmllib.unescape(found[1]), csrf_of(html)


def _applied(db: Engine) -> int:
    with Session(db) as s:
        return s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "plan_applied")) or 0


async def test_a_clean_plan_is_checked_applied_and_its_tasks_appear(site: tuple, db: Engine, tmp_path: Path) -> None:
    world, server = site
    folder = _plans_folder(world, tmp_path)
    client = await signed_in(world, server, "admin")
    text, token = await _draft(client, world)
    form = {"csrf": token, "file": SOURCE.name, "text": text}
    status, html = await post(client, world, "/console/plan/check", form)
    assert status == 200 and 'id="checked"' in html and "Kế hoạch cchc-2026 hợp lệ: 8 nhiệm vụ" in html, html[-1500:]
    assert not (folder / "cchc-2026.yaml").exists() and _applied(db) == 0  # checking writes nothing

    status, html = await post(client, world, "/console/plan/apply", form)
    assert status == 200 and 'id="applied"' in html, html[-1500:]
    assert "Đã áp dụng kế hoạch cchc-2026: ghi vào tệp cchc-2026.yaml" in html
    added = re.search(r"Thời hạn: thêm (\d+), cập nhật (\d+), ngừng theo dõi (\d+)", html)
    assert added and int(added[1]) > 0
    assert (folder / "cchc-2026.yaml").read_text(encoding="utf-8").strip() == text.strip()
    with Session(db) as s:
        tasks = s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.plan_id == "cchc-2026",
                                                                         TaskRow.retired_at.is_(None)))
        assert tasks == 8
        occurrences = s.scalar(select(func.count()).select_from(OccurrenceRow)
                               .where(OccurrenceRow.key.startswith("cchc-2026:")))
        assert occurrences == int(added[1])
        mini = s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.plan_id == "mini",
                                                                        TaskRow.retired_at.is_(None)))
        assert mini and mini > 0  # the plan already in force goes on beside the new one
        row = s.scalars(select(AuditRow).where(AuditRow.action == "plan_applied")).one()
        assert row.actor == f"member:{world.members['admin']}" and row.at is not None

    # the same id again: refused unless the office says to replace it; then the old file is kept as a backup
    status, html = await post(client, world, "/console/plan/apply", {**form, "text": text.replace(
        "Kế hoạch Cải cách hành chính năm 2026", "Kế hoạch CCHC năm 2026")})
    assert status == 409 and "Kế hoạch mã cchc-2026 đang được áp dụng (tệp cchc-2026.yaml)" in html
    status, html = await post(client, world, "/console/plan/apply", {**form, "replace": "1", "text": text.replace(
        "Kế hoạch Cải cách hành chính năm 2026", "Kế hoạch CCHC năm 2026")})
    assert status == 200 and "Tệp cũ được lưu thành cchc-2026.yaml." in html, html[-1500:]
    backups = list(folder.glob("cchc-2026.yaml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8").strip() == text.strip()
    assert "Kế hoạch CCHC năm 2026" in (folder / "cchc-2026.yaml").read_text(encoding="utf-8")
    assert _applied(db) == 2
    await client.close()


async def test_a_plan_with_an_error_is_refused_listing_it_and_nothing_is_written(site: tuple, db: Engine,
                                                                                 tmp_path: Path) -> None:
    world, server = site
    folder = _plans_folder(world, tmp_path)
    client = await signed_in(world, server, "admin")
    text, token = await _draft(client, world)
    broken = text.replace('members: ["TCCB", "KHTC"]', 'members: ["TCCB", "KHONGCO"]')
    assert broken != text
    with Session(db) as s:
        before = s.scalar(select(func.count()).select_from(OccurrenceRow))
    for path in ("/console/plan/check", "/console/plan/apply"):
        status, html = await post(client, world, path, {"csrf": token, "file": SOURCE.name, "text": broken})
        assert status == 400 and 'id="problems"' in html and "KHONGCO" in html, html[-1500:]
        assert "Traceback" not in html and "KHONGCO" in htmllib.unescape(
            re.search(r'<textarea id="plantext"[^>]*>(.*?)</textarea>', html, re.S)[1])  # type: ignore[index]
    assert "Kế hoạch chưa được áp dụng" in html
    assert sorted(p.name for p in folder.iterdir()) == ["mini.yaml"]
    with Session(db) as s:
        assert s.scalar(select(func.count()).select_from(OccurrenceRow)) == before
    assert _applied(db) == 0
    await client.close()


async def test_an_unwritable_folder_is_a_sentence_and_changes_nothing(site: tuple, db: Engine, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run as root, whom a folder's permissions do not stop: the folder is made to read as not writable
    for the check the page makes (os.access), which is what a non-root service account meets."""
    world, server = site
    folder = _plans_folder(world, tmp_path)
    client = await signed_in(world, server, "admin")
    text, token = await _draft(client, world)
    import bot.console.publish as publish

    real_access = os.access
    monkeypatch.setattr(publish.os, "access",
                        lambda path, mode: False if Path(path) == folder else real_access(path, mode))
    status, html = await post(client, world, "/console/plan/apply", {"csrf": token, "file": SOURCE.name,
                                                                      "text": text})
    assert status == 409 and "không có quyền ghi vào thư mục kế hoạch" in html, html[-1500:]
    assert sorted(p.name for p in folder.iterdir()) == ["mini.yaml"] and _applied(db) == 0
    await client.close()


async def test_a_configuration_naming_only_files_refuses_a_new_plan(site: tuple, db: Engine, tmp_path: Path) -> None:
    world, server = site
    folder = _plans_folder(world, tmp_path)
    world.services.plan_paths = [str(folder / "mini.yaml")]  # `plan: mini.yaml`: a new file there is never read
    client = await signed_in(world, server, "admin")
    text, token = await _draft(client, world)
    status, html = await post(client, world, "/console/plan/apply", {"csrf": token, "file": SOURCE.name, "text": text})
    assert status == 409 and "Máy chủ chỉ đọc các tệp kế hoạch được khai báo trong cấu hình (mini.yaml)" in html
    assert sorted(p.name for p in folder.iterdir()) == ["mini.yaml"] and _applied(db) == 0
    await client.close()


async def test_leadership_and_a_forged_form_cannot_apply_a_plan(site: tuple, db: Engine, tmp_path: Path) -> None:
    world, server = site
    folder = _plans_folder(world, tmp_path)
    client = await signed_in(world, server, "admin")
    text, _token = await _draft(client, world)
    leader = await signed_in(world, server, "leader")
    _status, html = await page(leader, "/console/")
    form = {"csrf": csrf_of(html), "file": SOURCE.name, "text": text}
    for path in ("/console/plan/apply", "/console/plan/check"):
        assert (await post(leader, world, path, form))[0] == 403
    assert (await post(client, world, "/console/plan/apply", {**form, "csrf": "forged"}))[0] == 403
    assert (await post(client, world, "/console/plan/apply", {**form, "csrf": _token},
                       origin="http://evil.example"))[0] == 403
    assert sorted(p.name for p in folder.iterdir()) == ["mini.yaml"] and _applied(db) == 0
    with Session(db) as s:
        assert not s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.plan_id == "cchc-2026"))
    for each in (client, leader):
        await each.close()
