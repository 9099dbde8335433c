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
    "no_such_task_id": ("Không có nhiệm vụ mã \"{task}\". Ví dụ: /nhiemvu 5.2",
                        "No task \"{task}\". E.g. /nhiemvu 5.2"),
    "file_too_big": ("Tệp lớn hơn 20 MB: bot không tải được. Hãy gửi đường link (Google Drive, hệ thống văn bản...) "
                     "thay cho tệp.", "Files over 20 MB cannot be downloaded by bots. Send a link instead."),
    # replies
    "help_head": ("Bot nhắc việc kế hoạch nâng cao Chỉ số CCHC.\n"
                  "/viec – việc đang mở của đơn vị (có nút xác nhận)\n/quahan – việc quá hạn\n"
                  "/nhiemvu <mã> – chi tiết, lịch sử, minh chứng\n/tiendo – tiến độ chung\n"
                  "/lich – lịch hạn của đơn vị (.ics)\n"
                  "/sochieu – báo số liệu các chỉ tiêu (tỷ lệ %, số lượng)\n"
                  "/lang vi|en – ngôn ngữ\n"
                  "Trong lời nhắc: ✅ Hoàn thành, 📎 Gửi minh chứng, ⏰ Nhắc lại sau, ⚠️ Báo vướng mắc.",
                  "CCHC reminder bot.\n/viec – your unit's open tasks\n/quahan – overdue\n/nhiemvu <id> – details\n"
                  "/tiendo – progress\n/lich – deadline calendar (.ics)\n/sochieu – report metric figures\n"
                  "/lang vi|en – language"),
    "help_admin": ("\nQuản trị (Văn phòng Sở):\n"
                   "/moi <mã đơn vị> – mời trưởng đơn vị (hoặc /moi lanhdao, /moi quantri)\n"
                   "/thanhvien – danh sách thành viên\n/tiendo [đơn vị] – tiến độ theo lĩnh vực, đơn vị\n"
                   "/quahan – toàn bộ việc quá hạn\n"
                   "/xuat – bảng tổng hợp (.xlsx) và gói minh chứng (.zip) để chấm điểm CCHC\n"
                   "/lich [đơn vị] – lịch hạn (.ics) của một đơn vị",
                   "\nAdmin:\n/moi <unit> – invite a head (/moi lanhdao, /moi quantri)\n/thanhvien – members\n"
                   "/tiendo [unit] – progress\n/quahan – all overdue\n/xuat – summary workbook and evidence package\n"
                   "/lich [unit] – a unit's deadline calendar (.ics)"),
    "help_leader": ("Lãnh đạo Sở: /tiendo – tiến độ, /quahan – việc quá hạn, /nhiemvu <mã> – chi tiết. "
                    "Bot cũng gửi báo cáo leo thang khi việc quá hạn.",
                    "Leadership: /tiendo, /quahan, /nhiemvu <id>. Escalations arrive automatically."),
    "unknown_input": ("Bot chưa hiểu yêu cầu này. Gõ /help để xem các lệnh.",
                      "Sorry, I did not understand. Try /help."),
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
    # exports (bot/telegram/exports.py)
    "not_your_calendar": ("Anh/chị chỉ lấy được lịch hạn của đơn vị mình ({own}), không phải của đơn vị {unit}.",
                          "You can only get your own unit's calendar ({own}), not {unit}'s."),
    "lich_pick": ("Chọn đơn vị để nhận lịch hạn (.ics), hoặc gõ /lich <mã đơn vị>, ví dụ /lich TCCB:",
                  "Choose a unit for its deadline calendar (.ics), or type /lich <unit>:"),
    "calendar_caption": ("📅 Lịch hạn nhiệm vụ CCHC của đơn vị {unit}. Mở tệp để thêm vào lịch của điện thoại "
                         "hoặc Outlook/Google Calendar; lịch nhắc lúc 08:00 ngày trước hạn.",
                         "📅 Deadline calendar of unit {unit}: open it to add the deadlines to your calendar."),
    "export_started": ("⏳ Đang tạo bảng tổng hợp và gói minh chứng, vui lòng chờ...",
                       "⏳ Building the summary workbook and the evidence package..."),
    "export_workbook_caption": ("📊 Bảng tổng hợp thực hiện kế hoạch CCHC đến ngày {day}.",
                                "📊 Summary workbook as of {day}."),
    "export_part_caption": ("🗂 Gói minh chứng (phần {n}/{of}); chỉ mục: chi-muc.xlsx trong gói.",
                            "🗂 Evidence package (part {n}/{of}); index: chi-muc.xlsx inside."),
    "export_done": ("✅ Đã xuất {occurrences} lượt việc và {files} tệp minh chứng trong {parts} gói ({size}).",
                    "✅ Exported {occurrences} task occurrences and {files} evidence files in {parts} package(s) "
                    "({size})."),
    "export_parts_hint": ("Giải nén tất cả các phần vào cùng một thư mục để có đủ cây thư mục minh chứng.",
                          "Extract every part into the same folder to get the whole evidence tree."),
    "export_missing": ("⚠️ {count} tệp minh chứng không còn trên máy chủ: xem danh sách trong thieu-tep.txt "
                       "và đề nghị đơn vị gửi lại.", "⚠️ {count} evidence file(s) are missing on the server: "
                       "see thieu-tep.txt."),
    "export_mismatched": ("⚠️ {count} tệp khác với bản đơn vị đã gửi (SHA-256 không khớp): {files}",
                          "⚠️ {count} file(s) differ from what the unit sent (SHA-256 mismatch): {files}"),
    "export_kept": ("📦 {name} ({size}) vượt giới hạn 50 MB của Telegram nên không gửi qua chat được; "
                    "lấy trực tiếp trên máy chủ tại: {path}",
                    "📦 {name} ({size}) exceeds Telegram's 50 MB limit; it is kept on the server at: {path}"),
    # metrics (bot/telegram/metrics.py)
    "no_such_metric": ("Không tìm thấy chỉ tiêu này (có thể kế hoạch đã thay đổi). Gõ /sochieu để xem lại.",
                       "This metric no longer exists (the plan may have changed). Type /sochieu."),
    "not_your_metric": ("Chỉ tiêu của nhiệm vụ {task} không thuộc đơn vị của anh/chị.",
                        "The metric of task {task} does not belong to your unit."),
    "metric_bad_value": ("Giá trị \"{value}\" không hợp lệ: {why}.\nNhập lại giá trị hiện tại của {name}:",
                         "Invalid value \"{value}\": a percentage is a number from 0 to 100 (e.g. 95 or 95,5%), "
                         "a count a non-negative whole number.\nType the current value of {name} again:"),
    "no_metrics": ("Đơn vị của anh/chị không có chỉ tiêu nào cần báo số liệu.", "Your unit has no metrics to report."),
    "metric_prompt": ("📈 Nhập giá trị hiện tại của {name} — nhiệm vụ {task}, đơn vị {unit}.\n"
                      "Chỉ tiêu: {target}. Lần báo gần nhất: {current}.\n{hint}",
                      "📈 Type the current value of {name} — task {task}, unit {unit}.\n"
                      "Target: {target}. Last reported: {current}.\n{hint}"),
    "metric_hint_percent": ("Gõ một số từ 0 đến 100, ví dụ 95 hoặc 95,5%.", "Type a number from 0 to 100, e.g. 95."),
    "metric_hint_count": ("Gõ một số nguyên không âm, ví dụ 12.", "Type a non-negative whole number, e.g. 12."),
    "metric_several_units": ("(Anh/chị phụ trách nhiều đơn vị có chỉ tiêu này: số liệu này tính cho đơn vị {unit}; "
                             "đơn vị {others} chưa báo được qua lệnh này, đề nghị Văn phòng Sở hỗ trợ.)",
                             "(You head several units with this metric: this value counts for {unit}; "
                             "{others} cannot report through this command yet, ask the office.)"),
    "metric_saved": ("✅ Đã ghi {name} của đơn vị {unit}: {value} — {verdict} (chỉ tiêu {target}).",
                     "✅ Saved {name} for {unit}: {value} — {verdict} (target {target})."),
    "metric_met": ("đạt", "met"),
    "metric_not_met": ("chưa đạt", "not met"),
}


def t(key: str, lang: str = "vi", **params: Any) -> str:
    """The text for `key` in `lang`, with params filled in."""
    vi, en = T.get(key, (key, key))
    template = en if lang == "en" else vi
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
