"""The core's data: reports, categories, inbound/outbound messages, staff users, audit log,
legal cases and staff notifications, the support directory and awareness pages."""

from core.models.audit import AuditLog
from core.models.category import Category, report_categories
from core.models.channel import ChannelCursor
from core.models.legal import LegalCase, StaffNotification
from core.models.media import Attachment, StoredFile
from core.models.message import Message
from core.models.moderation import ChannelHealth, SavedView
from core.models.publiccount import (
    PublicAreaCount,
    PublicAreaCountDay,
    PublicCell,
    PublicCellDay,
    PublicCount,
    PublicCountDay,
    PublicPointCount,
    PublicPointCountDay,
)
from core.models.report import Report
from core.models.revision import ReportNote, ReportRevision
from core.models.support import AwarenessPage, SupportResource
from core.models.user import User

__all__ = [
    "Attachment",
    "AuditLog",
    "AwarenessPage",
    "Category",
    "ChannelCursor",
    "ChannelHealth",
    "LegalCase",
    "Message",
    "PublicAreaCount",
    "PublicAreaCountDay",
    "PublicCell",
    "PublicCellDay",
    "PublicCount",
    "PublicCountDay",
    "PublicPointCount",
    "PublicPointCountDay",
    "Report",
    "ReportNote",
    "ReportRevision",
    "SavedView",
    "StaffNotification",
    "SupportResource",
    "StoredFile",
    "User",
    "report_categories",
]
