"""The core's data: reports, categories, inbound/outbound messages, staff users, audit log."""

from core.models.audit import AuditLog
from core.models.category import Category, report_categories
from core.models.channel import ChannelCursor
from core.models.media import Attachment
from core.models.message import Message
from core.models.moderation import ChannelHealth, SavedView
from core.models.report import Report
from core.models.revision import ReportNote, ReportRevision
from core.models.user import User

__all__ = [
    "Attachment",
    "AuditLog",
    "Category",
    "ChannelCursor",
    "ChannelHealth",
    "Message",
    "Report",
    "ReportNote",
    "ReportRevision",
    "SavedView",
    "User",
    "report_categories",
]
