"""The message catalogues in `locale/<lang>/LC_MESSAGES/`: extract, fill, list what is missing,
compile — the library behind `manage.py i18n_sync` and `tests/test_translations.py`.

Extraction uses Django's `makemessages` (it needs GNU gettext's xgettext/msgmerge — a
developer tool only). Compiling does NOT use GNU gettext: the `.mo` files are written by polib
(pure Python) and committed next to the `.po` files, so a fresh machine with only Python runs
the translated product; `tests/test_translations.py` fails when a committed `.mo` does not
match its `.po`.

A translation file (`<dir>/<lang>.json`, the translators' format) is one JSON object:
`key → msgstr`, or `key → [form0, form1, …]` for plural entries, where `key` is
`msgctxt + "\\u0004" + msgid` when the message has a context, else the msgid. The list of
untranslated entries (`entry_record`) uses the format of the extracted catalogue:
`{key, id, ctx?, plural?, where, note?}`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib
from django.conf import settings

# The languages SalonBook is translated into (English is the source language).
LOCALES: tuple[str, ...] = ("et", "da", "ro", "fi", "de")
DOMAINS: tuple[str, ...] = ("django", "djangojs")
# Never extracted: the virtualenv, tests, benchmarks, run-time files, collected static files.
IGNORE_PATTERNS: tuple[str, ...] = (
    ".venv",
    "venv",
    "tests",
    "conftest.py",
    "bench",
    "var",
    "control",
    "build",
    "staticfiles",
    "node_modules",
    "*.egg-info",
)
CONTEXT_SEPARATOR = "\x04"


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(language: str, domain: str = "django") -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{domain}.po"


def mo_path(language: str, domain: str = "django") -> Path:
    return po_path(language, domain).with_suffix(".mo")


def js_has_strings(root: Path | None = None) -> bool:
    """Whether any of our scripts calls gettext (only then is there a djangojs catalogue)."""
    root = root or Path(settings.BASE_DIR) / "static"
    return any("gettext(" in path.read_text(errors="ignore") for path in root.rglob("*.js"))


def domains_in_use() -> list[str]:
    return ["django", "djangojs"] if js_has_strings() else ["django"]


# --- Keys and records --------------------------------------------------------------------


def entry_key(entry: polib.POEntry) -> str:
    if entry.msgctxt:
        return f"{entry.msgctxt}{CONTEXT_SEPARATOR}{entry.msgid}"
    return entry.msgid


def entry_record(entry: polib.POEntry, *, note: str = "") -> dict[str, Any]:
    """An entry in the format of the extracted catalogue (msgids.json)."""
    record: dict[str, Any] = {"key": entry_key(entry), "id": entry.msgid}
    if entry.msgctxt:
        record["ctx"] = entry.msgctxt
    if entry.msgid_plural:
        record["plural"] = entry.msgid_plural
    record["where"] = list(dict.fromkeys(path for path, _line in entry.occurrences))
    notes = [text for text in (entry.comment, note) if text]
    if notes:
        record["note"] = " ".join(notes)
    return record


def is_done(entry: polib.POEntry) -> bool:
    """Translated (every plural form) and not fuzzy."""
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return bool(forms) and all(forms.get(i) for i in range(len(forms)))
    return bool(entry.msgstr)


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def plural_count(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


# --- Placeholders ------------------------------------------------------------------------

_TEMPLATE_VAR = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]+)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<conv>[diouxXeEfFgGcrsa%])"
)
_BRACE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*|\d*)(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str, *, python_format: bool = True) -> Counter[str]:
    """The placeholders in a message: `{{ var }}` (notice texts), `%(name)s` / `%s` (when the
    message is python-format) and `{name}` (str.format). Literal `%%` is not a placeholder."""
    found: Counter[str] = Counter()
    for match in _TEMPLATE_VAR.finditer(text):
        found[f"{{{{ {match.group(1)} }}}}"] += 1
    rest = _TEMPLATE_VAR.sub("", text)
    if python_format:
        for match in _PERCENT.finditer(rest):
            if match.group("conv") == "%":
                continue
            name = match.group("name")
            found[f"%({name}){match.group('conv')}" if name else f"%{match.group('conv')}"] += 1
        rest = _PERCENT.sub("", rest)
    for match in _BRACE.finditer(rest):
        found[match.group(0)] += 1
    return found


def placeholder_problem(entry: polib.POEntry, translations: list[str]) -> str:
    """Why the translation(s) of `entry` break its placeholders; "" when they keep them.

    Each translation must use the same placeholders as its source; plural forms those of the
    plural source, except that the first form ("one …") may write the number in words."""
    python_format = "python-format" in entry.flags
    if entry.msgid_plural:
        expected = placeholders(entry.msgid_plural, python_format=python_format)
        singular = placeholders(entry.msgid, python_format=python_format)
        allowed = set(expected) | set(singular)
        for index, text in enumerate(translations):
            got = placeholders(text, python_format=python_format)
            required = set(expected)
            if index == 0:  # "one …" may say the number in words
                required -= {key for key in expected if key.startswith("%") and key[-1] in "di"}
            if required <= set(got) <= allowed:
                continue
            return _describe(expected, got, f"form {index}")
        return ""
    expected = placeholders(entry.msgid, python_format=python_format)
    for text in translations:
        got = placeholders(text, python_format=python_format)
        # Named placeholders may be reordered or repeated; positional ones must match in count.
        positional_ok = all(got[key] == count for key, count in expected.items() if "(" not in key)
        if set(got) != set(expected) or not positional_ok:
            return _describe(expected, got, "translation")
    return ""


def _describe(expected: Counter[str], got: Counter[str], what: str) -> str:
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    parts = []
    if missing:
        parts.append("drops " + ", ".join(missing))
    if extra:
        parts.append("adds " + ", ".join(extra))
    if not parts:
        parts.append("changes how often placeholders occur")
    return f"the {what} " + " and ".join(parts)


def tidy_header(po: polib.POFile, language: str) -> bool:
    """Replace makemessages' template header (fuzzy, placeholders); True if it changed."""
    wanted = {"Project-Id-Version": "SalonBook", "Language": language}
    changed = po.metadata_is_fuzzy or any(po.metadata.get(k) != v for k, v in wanted.items())
    for name in ("PO-Revision-Date", "Last-Translator", "Language-Team"):
        value = po.metadata.get(name, "")
        if any(marker in value for marker in ("YEAR", "EMAIL@", "LANGUAGE <")):
            del po.metadata[name]
            changed = True
    po.metadata.update(wanted)
    po.metadata_is_fuzzy = False
    if po.header.startswith("SOME DESCRIPTIVE TITLE"):
        po.header = "SalonBook's messages. Update with `manage.py i18n_sync` (see README.md)."
        changed = True
    return changed


# --- Filling -----------------------------------------------------------------------------


@dataclass
class FillResult:
    filled: int = 0
    kept: int = 0  # already translated: never overwritten
    rejected: dict[str, str] = field(default_factory=dict)  # key → reason


def fill(po: polib.POFile, translations: Mapping[str, Any]) -> FillResult:
    """Fill untranslated or fuzzy entries of `po` from `translations` (key → str | [forms]).

    Existing translations are kept. A translation that breaks placeholders, has the wrong
    number of plural forms or is empty is rejected (and stays in the untranslated list)."""
    result = FillResult()
    forms_needed = plural_count(po)
    for entry in live_entries(po):
        key = entry_key(entry)
        if key not in translations:
            continue
        if is_done(entry):
            result.kept += 1
            continue
        value = translations[key]
        if entry.msgid_plural:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                result.rejected[key] = "plural entry needs a list of forms"
                continue
            if len(value) != forms_needed:
                result.rejected[key] = f"needs {forms_needed} plural forms, got {len(value)}"
                continue
            texts = value
        else:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if not isinstance(value, str):
                result.rejected[key] = "needs a string"
                continue
            texts = [value]
        if not all(text.strip() for text in texts):
            result.rejected[key] = "empty translation"
            continue
        if _edge_newlines(entry.msgid, texts):
            result.rejected[key] = "leading/trailing line breaks differ from the source"
            continue
        problem = placeholder_problem(entry, texts)
        if problem:
            result.rejected[key] = problem
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(texts))
        else:
            entry.msgstr = texts[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        result.filled += 1
    return result


def _edge_newlines(source: str, texts: list[str]) -> bool:
    # msgfmt -c refuses these; keep the catalogue compilable by GNU tools too.
    return any(
        source.startswith("\n") != text.startswith("\n")
        or source.endswith("\n") != text.endswith("\n")
        for text in texts
    )


def untranslated_records(
    po: polib.POFile, *, rejected: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    rejected = rejected or {}
    records = []
    for entry in live_entries(po):
        if not entry.msgid or is_done(entry):
            continue
        key = entry_key(entry)
        note = f"A translation was rejected: {rejected[key]}." if key in rejected else ""
        records.append(entry_record(entry, note=note))
    return records


def load_translations(directory: Path, language: str) -> dict[str, Any]:
    path = directory / f"{language}.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object key → translation.")
    return data


# --- Compiling ---------------------------------------------------------------------------


def compile_po(po_file: Path) -> Path:
    """Write the .mo next to the .po with polib (translated, non-fuzzy entries only)."""
    po = polib.pofile(str(po_file), wrapwidth=0)
    target = po_file.with_suffix(".mo")
    po.save_as_mofile(str(target))
    return target


def catalogue_from_po(po_file: Path) -> dict[tuple[str | None, str], Any]:
    po = polib.pofile(str(po_file))
    return {
        (entry.msgctxt, entry.msgid): _msgstr(entry)
        for entry in po.translated_entries()
        if entry.msgid
    }


def catalogue_from_mo(mo_file: Path) -> dict[tuple[str | None, str], Any]:
    mo = polib.mofile(str(mo_file))
    return {(entry.msgctxt, entry.msgid): _msgstr(entry) for entry in mo if entry.msgid}


def _msgstr(entry: polib._BaseEntry) -> Any:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


# --- Extraction --------------------------------------------------------------------------


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def extract(languages: list[str], *, verbosity: int = 0) -> list[str]:
    """Run makemessages for `languages` (GNU gettext needed) and return the domains."""
    from django.core.management import call_command

    domains = domains_in_use()
    locale_dir().mkdir(parents=True, exist_ok=True)
    with _cwd(Path(settings.BASE_DIR)):
        for domain in domains:
            call_command(
                "makemessages",
                locale=languages,
                domain=domain,
                ignore_patterns=list(IGNORE_PATTERNS),
                no_obsolete=True,
                add_location="file",
                verbosity=verbosity,
            )
    return domains
