"""Texts of the chat, Vietnamese first; English is a courtesy (`/lang en`). Reminders stay Vietnamese."""

from __future__ import annotations

from typing import Any

T: dict[str, tuple[str, str]] = {
    # refusals (Refused.key)
    "stranger": ("Xin chào! Anh/chị chưa được đăng ký với bot nhắc việc CCHC của Sở. "
                 "Hãy đề nghị Văn phòng Sở gửi đường mời (lệnh /moi), rồi bấm vào đường mời đó.",
                 "Hello! You are not registered with this reminder bot yet. Ask the department office "
                 "(Văn phòng Sở) for an invite link and open it."),
    "admin_only": ("Lệnh này chỉ dành cho quản trị (Văn phòng Sở).", "This command is for admins (the office) only."),
    "no_such_task": ("Không tìm thấy việc này (có thể kế hoạch đã thay đổi).",
                     "This task no longer exists (the plan may have changed)."),
    "not_your_unit": ("Việc này thuộc đơn vị {unit}, không phải đơn vị của anh/chị: không thể thao tác.",
                      "This task belongs to unit {unit}, not yours: refused."),
    "already_done": ("Việc này đã được duyệt hoàn thành.", "This task is already done."),
    "already_submitted": ("Việc này đã gửi Văn phòng Sở và đang chờ duyệt.", "Already submitted; awaiting review."),
    "evidence_required": ("Nhiệm vụ này cần minh chứng. Bấm 📎 Gửi minh chứng trước, rồi bấm ✅ Hoàn thành.",
                          "This task needs evidence. Press 📎 first, then ✅."),
    "bad_request": ("Nút này không hợp lệ hoặc đã cũ. Dùng /viec để xem việc hiện tại.",
                    "This button is invalid or stale. Use /viec."),
    "already_forwarded": ("Vướng mắc này đã được chuyển Lãnh đạo Sở.", "Already forwarded to leadership."),
    "already_reviewed": ("Đề nghị này đã được xử lý rồi.", "This review was already decided."),
    "empty_text": ("Nội dung trống, anh/chị nhập lại giúp.", "Empty text, please type it again."),
    "unknown_unit": ("Không có đơn vị \"{unit}\". Các mã hợp lệ: {known}.", "No unit \"{unit}\". Valid: {known}."),
    "invite_invalid": ("Đường mời không hợp lệ. Hãy đề nghị Văn phòng Sở gửi đường mời mới.",
                       "Invalid invite link. Ask the office for a new one."),
    "invite_used": ("Đường mời này đã được dùng. Mỗi đường mời chỉ dùng một lần.", "This invite was already used."),
    "invite_expired": ("Đường mời đã hết hạn (7 ngày). Hãy đề nghị Văn phòng Sở gửi đường mời mới.",
                       "This invite expired (7 days). Ask for a new one."),
    "no_such_member": ("Không tìm thấy thành viên này.", "No such member."),
    "cannot_remove_self": ("Không thể tự xóa quyền quản trị của mình.", "You cannot remove your own admin role."),
    "bad_lang": ("Dùng: /lang vi hoặc /lang en", "Use: /lang vi or /lang en"),
    "not_a_head": ("Anh/chị không phụ trách đơn vị nào. Dùng /tiendo hoặc /quahan để theo dõi.",
                   "You head no unit. Use /tiendo or /quahan."),
    "no_such_task_id": ("Không có nhiệm vụ mã \"{task}\". Ví dụ: /nhiemvu 5.2", "No task \"{task}\". E.g. /nhiemvu 5.2"),
    "file_too_big": ("Tệp lớn hơn 20 MB: bot không tải được. Hãy gửi đường link (Google Drive, hệ thống văn bản...) "
                     "thay cho tệp.", "Files over 20 MB cannot be downloaded by bots. Send a link instead."),
    # replies
    "help_head": ("Bot nhắc việc kế hoạch nâng cao Chỉ số CCHC.\n"
                  "/viec – việc đang mở của đơn vị (có nút xác nhận)\n/quahan – việc quá hạn\n"
                  "/nhiemvu <mã> – chi tiết, lịch sử, minh chứng\n/tiendo – tiến độ chung\n/lang vi|en – ngôn ngữ\n"
                  "Trong lời nhắc: ✅ Hoàn thành, 📎 Gửi minh chứng, ⏰ Nhắc lại sau, ⚠️ Báo vướng mắc.",
                  "CCHC reminder bot.\n/viec – your unit's open tasks\n/quahan – overdue\n/nhiemvu <id> – details\n"
                  "/tiendo – progress\n/lang vi|en – language"),
    "help_admin": ("\nQuản trị (Văn phòng Sở):\n/moi <mã đơn vị> – mời trưởng đơn vị (hoặc /moi lanhdao, /moi quantri)\n"
                   "/thanhvien – danh sách thành viên\n/tiendo [đơn vị] – tiến độ theo lĩnh vực, đơn vị\n"
                   "/quahan – toàn bộ việc quá hạn",
                   "\nAdmin:\n/moi <unit> – invite a head (/moi lanhdao, /moi quantri)\n/thanhvien – members\n"
                   "/tiendo [unit] – progress\n/quahan – all overdue"),
    "help_leader": ("Lãnh đạo Sở: /tiendo – tiến độ, /quahan – việc quá hạn, /nhiemvu <mã> – chi tiết. "
                    "Bot cũng gửi báo cáo leo thang khi việc quá hạn.",
                    "Leadership: /tiendo, /quahan, /nhiemvu <id>. Escalations arrive automatically."),
    "unknown_input": ("Bot chưa hiểu yêu cầu này. Gõ /help để xem các lệnh.", "Sorry, I did not understand. Try /help."),
    "welcome": ("Chào {name}! Anh/chị đã là {what}. Bot sẽ nhắc hạn các nhiệm vụ; gõ /viec để xem việc đang mở.",
                "Welcome {name}! You are now {what}. Type /viec for open tasks."),
    "invite_link": ("Đường mời {what} (dùng một lần, hết hạn {expires}):\n{link}\nGửi đường này cho người được mời.",
                    "Invite for {what} (single use, expires {expires}):\n{link}"),
    "submitted": ("✅ Đã ghi nhận và gửi Văn phòng Sở duyệt: {task}", "✅ Submitted for the office's review: {task}"),
    "evidence_prompt": ("📎 Gửi minh chứng cho {task}: tài liệu, ảnh, văn bản hoặc đường link (một hoặc nhiều). "
                        "Xong thì bấm ✔️ Xong.", "📎 Send evidence for {task}: files, photos, text or links. "
                        "Then press ✔️ Done."),
    "evidence_saved": ("Đã lưu minh chứng ({count}): {name}", "Evidence saved ({count}): {name}"),
    "evidence_done": ("Đã nhận {count} minh chứng cho {task}. Bấm ✅ Hoàn thành khi việc đã xong.",
                      "{count} evidence item(s) for {task}. Press ✅ when done."),
    "snooze_choose": ("Nhắc lại sau bao lâu?", "Remind again in?"),
    "snoozed": ("⏰ Sẽ nhắc lại lúc {until}.", "⏰ Will remind again at {until}."),
    "blocker_prompt": ("⚠️ Mô tả khó khăn, vướng mắc của {task} (gõ một tin nhắn):",
                       "⚠️ Describe the difficulty for {task} (one message):"),
    "blocker_sent": ("Đã gửi vướng mắc tới Văn phòng Sở.", "Sent to the office."),
    "forwarded": ("Đã chuyển vướng mắc tới Lãnh đạo Sở.", "Forwarded to leadership."),
    "accepted": ("✔️ Đã duyệt: {task}", "✔️ Accepted: {task}"),
    "return_prompt": ("↩️ Nhập lý do trả lại cho {task}:", "↩️ Type the reason for returning {task}:"),
    "returned": ("Đã trả lại và báo đơn vị {unit}.", "Returned; unit {unit} informed."),
    "removed": ("Đã xóa thành viên {name}.", "Member {name} removed."),
    "lang_set": ("Đã chuyển sang tiếng Việt.", "Language set to English."),
    "no_open": ("Đơn vị không còn việc nào đang mở. 👍", "No open tasks. 👍"),
    "no_overdue": ("Không có việc nào quá hạn. 👍", "Nothing overdue. 👍"),
    "error": ("Xin lỗi, bot gặp lỗi khi xử lý yêu cầu. Anh/chị thử lại sau; lỗi đã được ghi lại.",
              "Sorry, something went wrong. Please try again later."),
    "moi_usage": ("Dùng: /moi <mã đơn vị>, ví dụ /moi TCCB; hoặc /moi lanhdao, /moi quantri.",
                  "Use: /moi <unit>, e.g. /moi TCCB; or /moi lanhdao, /moi quantri."),
    "nhiemvu_usage": ("Dùng: /nhiemvu <mã nhiệm vụ>, ví dụ /nhiemvu 5.2", "Use: /nhiemvu <task id>"),
}


def t(key: str, lang: str = "vi", **params: Any) -> str:
    """The text for `key` in `lang`, with params filled in."""
    vi, en = T.get(key, (key, key))
    template = en if lang == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
