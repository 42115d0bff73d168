"""Settings: defaults that work, a generated secret that persists, and documentation."""

from pathlib import Path

from app.config import Settings
from tests.factories import ROOT


def test_defaults_use_sqlite_and_a_kept_secret(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'zukunft.sqlite3'}"
    secret = settings.resolved_secret_key
    assert len(secret) >= 40
    again = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    assert again.resolved_secret_key == secret
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_base_url_defaults_to_host_and_port() -> None:
    assert Settings(port=9000, _env_file=None).resolved_base_url == "http://localhost:9000"  # type: ignore[call-arg]
    custom = Settings(base_url="https://zk.example.org/", _env_file=None)  # type: ignore[call-arg]
    assert custom.resolved_base_url == "https://zk.example.org"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"document {name.upper()} in README.md"


def test_serving_process_tunes_the_interpreter() -> None:
    import gc
    import sys

    from app.main import tune_interpreter

    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    try:
        tune_interpreter()
        assert sys.getswitchinterval() == 0.001
        assert gc.get_threshold()[0] == 20_000
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)
