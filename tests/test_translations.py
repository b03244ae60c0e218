"""The catalogues of et, da, ro, fi and de are complete and sound, and the committed .mo files
are what the .po files compile to (a fresh machine needs no GNU gettext: see README.md).

These fail while a language has an untranslated or fuzzy message, or a translation drops,
adds or renames a placeholder (`%(name)s`, `%s`, `{name}`, `{{ var }}`). The fix is to
translate (`manage.py i18n_sync --translations DIR`), never to skip.
"""

from __future__ import annotations

import polib
import pytest
from django.utils import translation

from languages import catalog
from languages.sms_segments import sms_size, sms_text

LOCALES = catalog.LOCALES


def _po(language: str) -> polib.POFile:
    path = catalog.po_path(language)
    assert path.exists(), f"{path} is missing: run `manage.py i18n_sync`"
    return polib.pofile(str(path))


def _describe(entries: list[polib.POEntry], limit: int = 15) -> str:
    shown = "\n".join(
        f"  - {e.msgid[:90]!r} ({', '.join(p for p, _ in e.occurrences)})" for e in entries[:limit]
    )
    more = f"\n  … and {len(entries) - limit} more" if len(entries) > limit else ""
    return shown + more


@pytest.mark.parametrize("language", LOCALES)
def test_every_message_is_translated(language: str) -> None:
    missing = [e for e in catalog.live_entries(_po(language)) if e.msgid and not catalog.is_done(e)]
    assert not missing, (
        f"{language}: {len(missing)} untranslated or fuzzy messages "
        "(listed by `manage.py i18n_sync --no-extract` in "
        f"var/i18n/untranslated/{language}.json):\n" + _describe(missing)
    )


@pytest.mark.parametrize("language", LOCALES)
def test_translations_keep_their_placeholders(language: str) -> None:
    problems = []
    for entry in catalog.live_entries(_po(language)):
        if not entry.msgid or not catalog.is_done(entry):
            continue
        texts = (
            [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            if entry.msgid_plural
            else [entry.msgstr]
        )
        problem = catalog.placeholder_problem(entry, texts)
        if problem:
            problems.append(f"  - {entry.msgid[:80]!r}: {problem}")
    assert not problems, f"{language}: placeholders broken:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize("language", LOCALES)
def test_plural_entries_have_every_form_of_the_language(language: str) -> None:
    po = _po(language)
    forms = catalog.plural_count(po)
    wrong = [
        e.msgid
        for e in catalog.live_entries(po)
        if e.msgid_plural and catalog.is_done(e) and len(e.msgstr_plural) != forms
    ]
    assert not wrong, f"{language}: plural entries without {forms} forms: {wrong[:10]}"


@pytest.mark.parametrize("language", LOCALES)
def test_the_committed_mo_file_is_the_compiled_po_file(language: str) -> None:
    po_file, mo_file = catalog.po_path(language), catalog.mo_path(language)
    assert mo_file.exists(), f"{mo_file} is missing: run `manage.py i18n_sync --no-extract`"
    assert catalog.catalogue_from_mo(mo_file) == catalog.catalogue_from_po(po_file), (
        f"{mo_file} is stale: run `manage.py i18n_sync --no-extract` and commit the .mo"
    )


def test_the_placeholder_check_catches_dropped_renamed_and_added_placeholders() -> None:
    entry = polib.POEntry(
        msgid="Hi %(name)s, {{ salon_name }} has %s for {count}",
        flags=["python-format"],
    )
    good = "Tere %(name)s, {{ salon_name }}: %s {count}"
    assert catalog.placeholder_problem(entry, [good]) == ""
    assert "drops %(name)s" in catalog.placeholder_problem(
        entry, ["Tere, {{ salon_name }}: %s {count}"]
    )
    assert "adds %(nimi)s" in catalog.placeholder_problem(
        entry, ["Tere %(nimi)s, {{ salon_name }}: %s {count}"]
    )
    assert "{{ salon }}" in catalog.placeholder_problem(
        entry, ["Tere %(name)s, {{ salon }}: %s {count}"]
    )
    assert catalog.placeholder_problem(entry, ["Tere %(name)s, {{ salon_name }}: {count}"])
    # A literal percent sign is not a placeholder.
    percent = polib.POEntry(msgid="%(n)s%% off", flags=["python-format"])
    assert catalog.placeholder_problem(percent, ["-%(n)s %%"]) == ""


def test_the_placeholder_check_lets_the_one_form_say_the_number_in_words() -> None:
    entry = polib.POEntry(
        msgid="%(count)d client", msgid_plural="%(count)d clients", flags=["python-format"]
    )
    assert catalog.placeholder_problem(entry, ["üks klient", "%(count)d klienti"]) == ""
    assert catalog.placeholder_problem(entry, ["üks klient", "mitu klienti"])


def test_fill_keeps_existing_translations_and_rejects_broken_ones() -> None:
    po = polib.POFile()
    po.metadata = {"Plural-Forms": "nplurals=2; plural=(n != 1);"}
    done = polib.POEntry(msgid="Save", msgstr="Salvesta")
    empty = polib.POEntry(msgid="Hi %(name)s", msgstr="", flags=["python-format"])
    fuzzy = polib.POEntry(msgid="Cancel", msgstr="Tühista?", flags=["fuzzy"])
    context = polib.POEntry(msgid="May", msgctxt="month", msgstr="")
    plural = polib.POEntry(
        msgid="%(n)d visit",
        msgid_plural="%(n)d visits",
        msgstr_plural={0: "", 1: ""},
        flags=["python-format"],
    )
    for entry in (done, empty, fuzzy, context, plural):
        po.append(entry)

    result = catalog.fill(
        po,
        {
            "Save": "Hoia",
            "Hi %(name)s": "Tere %(nimi)s",
            "Cancel": "Tühista",
            "month\x04May": "mai",
            "%(n)d visit": ["%(n)d külastus", "%(n)d külastust"],
        },
    )

    assert done.msgstr == "Salvesta"  # never overwritten
    assert empty.msgstr == "" and "Hi %(name)s" in result.rejected
    assert fuzzy.msgstr == "Tühista" and "fuzzy" not in fuzzy.flags
    assert context.msgstr == "mai"
    assert plural.msgstr_plural == {0: "%(n)d külastus", 1: "%(n)d külastust"}
    assert (result.filled, result.kept) == (3, 1)
    left = catalog.untranslated_records(po, rejected=result.rejected)
    assert [r["key"] for r in left] == ["Hi %(name)s"]
    assert "rejected" in left[0]["note"]


# --- SMS sizes --------------------------------------------------------------------------

# Values as long as real ones: a manage link (https://host/s/<slug>/a/<signed token>/?lang=xx)
# and names of a usual length. Dates are written by the language itself.
EXAMPLE_URL = (
    "https://salonbook.example/s/alpha-hair/a/eyJhIjoxMjM0NTYsInMiOjQyfQ:1vQ3xY:Zk9pR2tL8s/?lang=de"
)
MAX_SEGMENTS = 2


def _realistic_context(kind, language: str) -> dict[str, str]:  # noqa: ANN001
    from bookings.notifications import format_local

    context = {}
    for variable in kind.all_variables:
        example = variable.example or variable.name
        if example.startswith(("http", "https")) or variable.name.endswith("_url"):
            example = EXAMPLE_URL
        elif variable.name in ("starts_at", "old_starts_at"):
            import datetime as dt
            import zoneinfo

            moment = dt.datetime(2026, 9, 30, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Tallinn"))
            example = format_local(moment, time_zone="Europe/Tallinn", language=language)
        context[variable.name] = example
    return context


def sms_table() -> list[tuple[str, str, str, int, int, int]]:
    """(kind, language, encoding, units, per segment, segments) of every default SMS."""
    from notices.registry import Channel, kind_list
    from notices.renderer import render

    rows = []
    for kind in kind_list():
        if kind.key.startswith("test_"):
            continue
        for language in ("en", *LOCALES):
            with translation.override(language):
                text = sms_text(
                    render(
                        kind.default_body(Channel.SMS),
                        _realistic_context(kind, language),
                        allowed=kind.variable_names,
                    ),
                    language,
                )
            size = sms_size(text)
            rows.append(
                (kind.key, language, size.encoding, size.units, size.per_segment, size.segments)
            )
    return rows


def test_sms_sizes_are_counted_in_gsm7_or_ucs2() -> None:
    assert sms_size("a" * 160).segments == 1
    assert sms_size("a" * 161).segments == 2  # 153 per part
    assert sms_size("€" * 80).segments == 1  # an extension character counts twice
    assert sms_size("õ" * 70) == sms_size("õ" * 70)
    assert sms_size("õ" * 70).encoding == "UCS-2" and sms_size("õ" * 70).segments == 1
    assert sms_size("õ" * 71).segments == 2  # 67 per part
    assert sms_size("Ä ö ü å æ ø é").encoding == "GSM-7"
    assert sms_size("ș ț ă").encoding == "UCS-2"


@pytest.mark.django_db
def test_every_default_sms_fits_in_two_segments_in_every_language() -> None:
    rows = sms_table()
    too_long = [row for row in rows if row[5] > MAX_SEGMENTS]
    assert not too_long, (
        "SMS longer than two segments (kind, language, encoding, units, per segment, segments):\n"
        + "\n".join(map(str, too_long))
    )
