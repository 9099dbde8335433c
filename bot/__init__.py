"""nhacviec: bot Telegram nhắc việc cho kế hoạch cải cách hành chính."""

__version__ = "0.1.0"
