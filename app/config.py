"""Settings from the environment and `.env`, with defaults that work on a fresh machine."""

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of the app; each is documented in the README (a test checks that)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file and key live.")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir.")
    base_url: str = Field(default="", description="Public address for links and QR codes.")
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, description="Port the server listens on.")
    secret_key: str = Field(default="", description="Signs cookies and tokens; generated if empty.")
    max_body_bytes: int = Field(default=64 * 1024, description="Largest request body accepted.")
    max_upload_bytes: int = Field(default=5 * 1024 * 1024,
                                  description="Largest file upload (survey CSV import).")
    cards_per_minute: int = Field(default=20, description="Cards one participant may post "
                                                          "per minute (429 beyond).")
    contributions_per_minute: int = Field(default=6, description="Remarks and proposals one "
                                                                 "participant may send per "
                                                                 "minute.")
    votes_per_minute: int = Field(default=30, description="Supports and dots one participant "
                                                          "may give or take back per minute.")
    joins_per_address: int = Field(default=300, description="Joins from one address per ten "
                                                            "minutes (a venue shares one).")
    joins_per_address_online: int = Field(default=10, description="The same while the workshop "
                                                                  "is open online.")
    sign_ins_per_minute: int = Field(default=5, description="Organizer sign-in attempts per "
                                                            "minute from one address.")
    body_idle_seconds: float = Field(default=15.0, description="Longest pause while a request "
                                                               "body arrives (408 beyond).")
    sse_ping_seconds: float = Field(default=15.0, description="Heartbeat interval of live streams.")
    imprint_url: str = Field(default="", description="The operator's Impressum (footer link).")
    operator: str = Field(default="", description="Who runs this server (accessibility "
                                                  "statement, when a workshop names nobody).")
    contact: str = Field(default="", description="Feedback contact for barriers and privacy.")

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'zukunft.sqlite3').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once and kept beside the database."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()

    @property
    def resolved_base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"
