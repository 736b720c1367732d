import hashlib

from flask_login import UserMixin

from core.crypto import EncryptedText
from core.extensions import db
from core.models.base import utcnow

ROLES = ("admin", "moderator", "lawyer")


class User(UserMixin, db.Model):
    """A staff member. Reporters never have accounts."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(16), nullable=False, default="moderator")
    active = db.Column(db.Boolean, nullable=False, default=True)
    language = db.Column(db.String(5))
    totp_secret = db.Column(EncryptedText)
    totp_required = db.Column(db.Boolean, nullable=False, default=False)
    totp_last_counter = db.Column(db.Integer)  # a code is accepted once, never replayed
    invite_token_hash = db.Column(db.String(64), unique=True)  # one-time link to set a password
    invite_expires_at = db.Column(db.DateTime)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime)
    # Raised to end every session of this account at once (see ``session_fingerprint``).
    session_generation = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    # E-mails saying "something is waiting" (never what): on unless she turns them off.
    notify_by_email = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def session_fingerprint(self) -> str:
        """Changes with the password, the second factor or the session generation (logging out,
        disabling, "sign out everywhere"), ending every session (and every copy of its cookie)
        made before: ``core.auth.load_user`` checks it on each request."""
        material = f"{self.password_hash}|{self.totp_secret or ''}|{self.session_generation}".encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def end_sessions(self) -> None:
        """Every session of this account ends on its next request, wherever its cookie is."""
        self.session_generation = (self.session_generation or 0) + 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_fingerprint}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
