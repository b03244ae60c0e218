"""`manage.py i18n_sync`: bring the catalogues of et, da, ro, fi and de up to date.

1. extract: `makemessages` for every language (django domain; djangojs when our scripts call
   gettext), ignoring .venv, tests, bench and var (needs GNU gettext; `--no-extract` skips it);
2. fill: untranslated and fuzzy entries from `<dir>/<lang>.json` (`--translations DIR`,
   translators' format key → msgstr or [forms]); existing translations are never overwritten,
   translations that break a placeholder are rejected;
3. write what is still untranslated, per language, to `<delta>/<lang>.json` in the format of
   the extracted catalogue (`--delta DIR`, default var/i18n/untranslated) — hand that to a
   translator, then run again with their file;
4. compile every .po to .mo with polib (no GNU gettext needed).

Exit status 0; `--check` makes it exit 1 when anything is left untranslated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from languages import catalog


class Command(BaseCommand):
    help = "Extract, fill from translators' JSON, list untranslated entries, compile .mo files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--translations",
            type=Path,
            help="Directory with <lang>.json files (key → msgstr or list of plural forms).",
        )
        parser.add_argument(
            "--delta",
            type=Path,
            default=None,
            help="Directory for <lang>.json lists of untranslated entries "
            "(default: var/i18n/untranslated).",
        )
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            choices=catalog.LOCALES,
            help="Only this language (repeatable). Default: all.",
        )
        parser.add_argument(
            "--no-extract", action="store_true", help="Skip makemessages (no GNU gettext)."
        )
        parser.add_argument(
            "--check", action="store_true", help="Exit 1 when anything is left untranslated."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        languages: list[str] = options["locale"] or list(catalog.LOCALES)
        delta_dir: Path = options["delta"] or Path(settings.BASE_DIR) / "var/i18n/untranslated"
        translations_dir: Path | None = options["translations"]
        if translations_dir is not None and not translations_dir.is_dir():
            raise CommandError(f"{translations_dir} is not a directory.")

        if options["no_extract"]:
            domains = [d for d in catalog.DOMAINS if catalog.po_path(languages[0], d).exists()]
        else:
            domains = catalog.extract(languages, verbosity=max(0, options["verbosity"] - 1))

        delta_dir.mkdir(parents=True, exist_ok=True)
        left_total = 0
        for language in languages:
            translations = (
                catalog.load_translations(translations_dir, language) if translations_dir else {}
            )
            missing: list[dict[str, Any]] = []
            filled = kept = rejected = 0
            for domain in domains:
                path = catalog.po_path(language, domain)
                if not path.exists():
                    continue
                po = polib.pofile(str(path), wrapwidth=79)
                header_changed = catalog.tidy_header(po, language)
                result = catalog.fill(po, translations)
                if result.filled or header_changed:
                    po.save(str(path))
                filled += result.filled
                kept += result.kept
                rejected += len(result.rejected)
                missing.extend(catalog.untranslated_records(po, rejected=result.rejected))
                catalog.compile_po(path)
            (delta_dir / f"{language}.json").write_text(
                json.dumps(missing, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            left_total += len(missing)
            self.stdout.write(
                f"{language}: filled {filled}, kept {kept}, rejected {rejected}, "
                f"untranslated {len(missing)} → {delta_dir / f'{language}.json'}"
            )
        if options["check"] and left_total:
            raise CommandError(f"{left_total} entries are still untranslated.")
