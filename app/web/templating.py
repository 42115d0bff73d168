"""Jinja2 environments, one per interface language, with Babel message catalogs."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import BytecodeCache, Environment, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import Markup

from app import word_cloud
from app.config import PROJECT_ROOT
from app.text import clock, clock_date
from app.web.urls import path

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:  # msgids are German
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


class _CompiledOnce(BytecodeCache):
    """Compiled templates shared by every environment of the process (both languages, and
    every app a test creates): a template is compiled once, again only when its source
    changed (the bucket checks the source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledOnce()


class Templates:
    """Renders templates in a language; the German environment is the default."""

    def __init__(self, directory: Path = PROJECT_ROOT / "templates") -> None:
        self._envs: dict[str, Environment] = {}
        self._gettext: dict[str, Callable[[str], str]] = {}
        for locale in LOCALES:
            env = Environment(
                loader=FileSystemLoader(directory),
                autoescape=select_autoescape(["html", "xml", "svg"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                bytecode_cache=_COMPILED,
                # Templates ship with the code and change with it (a restart): not asking the
                # file system for each template's time on every render saved 5 % of a card's
                # CPU, more for each live stream it goes out on.
                auto_reload=False,
            )
            catalog = translations(locale)
            env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
            env.globals["locale"] = locale
            env.globals["path"] = path  # {{ path("board:board", slug=…, field_key=…) }}
            # `<p{{ de }}>{{ card.text }}</p>`: people's text is German; in another interface
            # language a screen reader reads it with German pronunciation (WCAG 3.1.2).
            env.globals["de"] = Markup("") if locale == DEFAULT_LOCALE else Markup(' lang="de"')
            env.globals["scattered"] = word_cloud.scattered  # a cloud's order of its words
            env.globals["alternative"] = word_cloud.alternative  # …and its text alternative
            env.filters["clock"] = clock
            env.filters["clock_date"] = clock_date
            self._envs[locale] = env
            self._gettext[locale] = catalog.gettext

    @property
    def environments(self) -> list[Environment]:
        return list(self._envs.values())

    def render(self, template: str, *, locale: str = DEFAULT_LOCALE, **context: Any) -> str:
        env = self._envs.get(locale, self._envs[DEFAULT_LOCALE])
        return env.get_template(template).render(context)

    def gettext(self, locale: str) -> Callable[[str], str]:
        return self._gettext.get(locale, self._gettext[DEFAULT_LOCALE])
