"""Catalog checks that fail the run: missing or fuzzy messages, format and markup mismatches,
stale templates and compiled files, untranslatable text in templates, clashes between catalogs."""

import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.catalogs import is_translated
from portal.config import LANGUAGE_CODES
from portal.testing import require_tool
from tests.support import catalog_folders

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).parent.parent
LANGUAGES = [code for code in LANGUAGE_CODES if code != "de"]
BIN = Path(sys.executable).parent
OWNERS = {owner: (folder, [ROOT / "portal", ROOT / "templates"] if owner == "core" else [folder.parent])
          for owner, folder in catalog_folders().items()}
CATALOGS = [(owner, lang) for owner in OWNERS for lang in LANGUAGES]
CATALOG_IDS = [f"{owner}-{lang}" for owner, lang in CATALOGS]


def po_path(owner: str, lang: str) -> Path:
    return OWNERS[owner][0] / lang / "LC_MESSAGES" / "messages.po"


def read(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


def extract(sources: list[Path], target: Path) -> set[str]:
    subprocess.run([str(BIN / "pybabel"), "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                    "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "--no-location", "--ignore-dirs=.* ._ tests",
                    "-o", str(target), *map(str, sources)], check=True, cwd=ROOT)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in read(target) if m.id}


def ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("owner, lang", CATALOGS, ids=CATALOG_IDS)
def test_every_message_is_translated_and_none_is_fuzzy(owner, lang):
    catalog = read(po_path(owner, lang))
    missing = [m.id for m in catalog if m.id and not is_translated(m)]
    assert not missing, f"{owner}/{lang}: {len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("owner", OWNERS)
def test_template_catalog_is_current_with_the_code(owner, tmp_path):
    folder, sources = OWNERS[owner]
    extracted = extract(sources, tmp_path / "messages.pot")
    assert ids(read(folder / "messages.pot")) == extracted, "run `make update` and translate what is new"
    for lang in LANGUAGES:
        in_po = ids(read(po_path(owner, lang)))
        assert extracted - in_po == set(), f"{owner}/{lang} lacks {sorted(extracted - in_po)[:5]}"
        assert in_po - extracted == set(), f"{owner}/{lang} has stale {sorted(in_po - extracted)[:5]}"


@pytest.mark.parametrize("owner, lang", CATALOGS, ids=CATALOG_IDS)
def test_gettext_accepts_formats_and_plural_forms(owner, lang):
    require_tool(shutil.which("msgfmt"), "gettext's msgfmt is not installed")
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path(owner, lang))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("owner, lang", CATALOGS, ids=CATALOG_IDS)
def test_translate_toolkit_finds_no_placeholder_or_markup_mismatch(owner, lang, tmp_path):
    report = tmp_path / "failures.po"
    subprocess.run([str(BIN / "pofilter"), "--progress=none", "--nofuzzy", "-t", "printf", "-t", "pythonbraceformat",
                    "-t", "xmltags", "-t", "variables", "-t", "escapes", "-t", "newlines",
                    str(po_path(owner, lang)), str(report)], check=True, capture_output=True)
    failures = [m.id for m in read(report) if m.id] if report.exists() else []
    assert not failures, f"{owner}/{lang}: {failures[:5]}"


RIGHT_TO_LEFT = {"ar", "ckb", "fa", "fa_AF", "ps"}


@pytest.mark.parametrize("owner, lang", [(owner, lang) for owner, lang in CATALOGS if lang in RIGHT_TO_LEFT],
                         ids=[f"{owner}-{lang}" for owner, lang in CATALOGS if lang in RIGHT_TO_LEFT])
def test_right_to_left_catalogs_quote_with_their_own_marks(owner, lang):
    # German „…“ turn round in a right-to-left line and are foreign there; these languages quote with « » (or “ ”).
    catalog = read(po_path(owner, lang))
    german = [message.id for message in catalog if message.id and any(
        "„" in text or "‚" in text
        for text in ([message.string] if isinstance(message.string, str) else message.string))]
    assert not german, f"{owner}/{lang}: {german[:5]}"


@pytest.mark.parametrize("owner, lang", CATALOGS, ids=CATALOG_IDS)
def test_compiled_catalog_matches_its_source(owner, lang):
    catalog = read(po_path(owner, lang))
    with open(po_path(owner, lang).with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, f"stale .mo: {message.id!r}; run `make compile`"
        else:
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[compiled.plural(1)]


def test_no_two_catalogs_translate_one_text_differently():
    for lang in LANGUAGES:
        seen: dict[str, tuple[str, object]] = {}
        for owner in OWNERS:
            for message in read(po_path(owner, lang)):
                if not message.id or not is_translated(message):
                    continue
                key = message.id if isinstance(message.id, str) else "\x00".join(message.id)
                value = message.string if isinstance(message.string, str) else tuple(message.string)
                if key in seen:
                    first_owner, first_value = seen[key]
                    assert first_value == value, (f"{lang}: {key!r} is {first_value!r} in {first_owner} "
                                                  f"but {value!r} in {owner}")
                else:
                    seen[key] = (owner, value)


# Text a reader sees, or hears from a screen reader, must come from gettext.
TRANSLATABLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
CLASS_BLOCK = re.compile(r"{%-?\s*block\s+\w*class\w*\s*-?%}.*?{%-?\s*endblock", re.S)
STATEMENT = re.compile(r"{#.*?#}|{%.*?%}", re.S)
# An expression becomes a one-letter stand-in, so `<{{ tag }} class=…>` still parses as a tag.
EXPRESSION = re.compile(r"{{.*?}}", re.S)
WORD = re.compile(r"[^\W\d_]{2,}")
# Words that are the same in every language: product names, units, codes.
ALLOWED_WORDS = {"BITV", "WCAG", "AA", "PDF", "CSV", "ics", "QR", "API", "JSON", "OpenAPI", "ltr", "rtl", "px", "Atom",
                 "UTF"}


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "svg", "pre", "code"}:
            self.skip += 1
        for name, value in attrs:
            # A meta tag's content is configuration (viewport, htmx), not text for readers.
            if name in TRANSLATABLE_ATTRIBUTES and value and tag != "meta":
                self.found.extend(WORD.findall(value))

    def handle_endtag(self, tag):
        if tag in {"script", "style", "svg", "pre", "code"} and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.found.extend(WORD.findall(data))


TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "plugins").glob("*/templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_text_outside_gettext(path):
    if "tests" in path.parts:
        return
    finder = _TextFinder()
    source = CLASS_BLOCK.sub(" ", path.read_text(encoding="utf-8"))
    finder.feed(EXPRESSION.sub("x", STATEMENT.sub(" ", source)))
    stray = [word for word in finder.found if word not in ALLOWED_WORDS]
    assert not stray, f"text outside gettext in {path.name}: {stray[:10]}"


# Arabic counts 11 to 99 with the accusative singular ("30 يومًا") and 100 to 102 with the genitive ("100 يوم");
# Babel's header puts 100-102 in msgstr[4] and 11-99 in msgstr[5], which catalogs once had the wrong way round.
ARABIC_COUNTS = [
    ("emergency", "Wir speichern Ihre Anfrage %(num)d Tag lang und löschen sie dann.", 30, "30 يومًا"),
    ("emergency", "Wir speichern Ihre Anfrage %(num)d Tag lang und löschen sie dann.", 100, "100 يوم "),
    ("naturalisation", "%(num)d Person", 11, "11 شخصًا"),
    ("naturalisation", "%(num)d Termin", 12, "12 موعدًا"),
    ("naturalisation", "%(num)d Termin", 101, "101 موعد"),
    ("appointments", "Es darf %(num)d Person kommen.", 1, "شخص واحد"),
    ("appointments", "Es darf %(num)d Person kommen.", 11, "11 شخصًا"),
    ("appointments", "Es darf %(num)d Person kommen.", 100, "100 شخص "),
    ("appointments", "Die Datei hat %(num)d fehlerhafte Zeile. Es wurde nichts übernommen.", 12, "12 سطرًا خاطئًا"),
    ("arrival", "%(num)d Person darf eintreten.", 25, "25 شخصًا"),
    ("queue", "Vor Ihnen wartet %(num)d Person.", 14, "14 شخصًا"),
    ("queue", "Vor Ihnen wartet %(num)d Person.", 0, "لا ينتظر أحد"),
]


def plural_text(owner: str, lang: str, msgid: str, count: int) -> str:
    """Return the compiled catalog's form of a plural message for count, the number filled in."""
    with open(po_path(owner, lang).with_suffix(".mo"), "rb") as handle:
        translations = gettext.GNUTranslations(handle)
    plural = next(m for m in read(po_path(owner, lang)) if m.pluralizable and m.id[0] == msgid).id[1]
    return translations.ngettext(msgid, plural, count) % {"num": count}


@pytest.mark.parametrize("owner, msgid, count, expected", ARABIC_COUNTS)
def test_arabic_plural_forms_follow_the_header(owner, msgid, count, expected):
    assert expected in plural_text(owner, "ar", msgid, count)


# Arabic's dual names the two in its noun ("شخصان", two persons): a number before it said two twice, as in
# "2 شخصان". The catalogs put the number after the noun, in brackets: "شخصان (2)".
DUAL_AFTER_NUMBER = re.compile(r"%\([a-z]+\)d [\u0621-\u064A]+(?:ان|ين)(?![\u0621-\u064A])")


@pytest.mark.parametrize("owner", OWNERS)
def test_arabic_duals_do_not_repeat_the_number(owner):
    duals = [message.string[2] for message in read(po_path(owner, "ar"))
             if message.pluralizable and len(message.string) > 2 and message.string[2]]
    assert [form for form in duals if DUAL_AFTER_NUMBER.search(form)] == []


# Polish has three plural forms: 1, 2–4 ("czekają 3 osoby"), 5 and more ("czeka 5 osób"); the queue once
# used the genitive plural for 2–4.
POLISH_COUNTS = [
    ("queue", "Vor Ihnen wartet %(num)d Person.", 3, "czekają 3 osoby"),
    ("queue", "Vor Ihnen wartet %(num)d Person.", 5, "czeka 5 osób"),
    ("queue", "%(num)d Nummer wartet", 2, "2 numery czekają"),
]


@pytest.mark.parametrize("owner, msgid, count, expected", POLISH_COUNTS)
def test_polish_plural_forms_agree_with_the_number(owner, msgid, count, expected):
    assert expected in plural_text(owner, "pl", msgid, count)


# Persian counts nouns in the singular but lets the verb agree with people and things counted: one person
# "می‌تواند" and "است", several "می‌توانند" and "اند". One form for all once gave "1 نفر می‌توانند با هم بیایند".
PERSIAN_COUNTS = [
    ("queue", "Vor Ihnen wartet %(num)d Person.", 1, "1 نفر پیش از شما در انتظار است."),
    ("queue", "Vor Ihnen wartet %(num)d Person.", 3, "3 نفر پیش از شما در انتظارند."),
    ("appointments", "Es darf %(num)d Person kommen.", 1, "1 نفر می‌تواند بیاید."),
    ("appointments", "Es darf %(num)d Person kommen.", 2, "2 نفر می‌توانند با هم بیایند."),
    ("arrival", "%(num)d Person darf eintreten.", 1, "1 نفر می‌تواند وارد شود."),
]


@pytest.mark.parametrize("owner, msgid, count, expected", PERSIAN_COUNTS)
def test_persian_verbs_agree_with_one_or_more(owner, msgid, count, expected):
    assert plural_text(owner, "fa", msgid, count) == expected


# Arabic wordings once wrong: a verbal noun without its object, conciliation (Schlichtung) as arbitration (تحكيم),
# residence permit (إذن الإقامة) for the residence title (سند الإقامة), permanent residence for the settlement permit.
SCHLICHTUNG = ("Sie haben uns eine Barriere gemeldet und sind mit unserer Antwort nicht zufrieden? Dann können Sie "
               "sich kostenlos an die Schlichtungsstelle wenden. Die Schlichtungsstelle hilft, eine Lösung ohne "
               "Gericht zu finden.")
ARABIC_WORDINGS = [
    ("checklists", "Bitte bringen Sie mit", "يرجى إحضار ما يلي", None),
    ("core", "Schlichtungsverfahren", "التوفيق", "تحكيم"),
    ("core", SCHLICHTUNG, "هيئة التوفيق", "تحكيم"),
    ("emergency", "Ihr Aufenthaltstitel läuft in den nächsten Tagen ab.", "سند إقامتكم", "تصريح"),
    ("appointments", "Niederlassungserlaubnis", "إذن الاستقرار", "الإقامة الدائمة"),
]


@pytest.mark.parametrize("owner, msgid, expected, wrong", ARABIC_WORDINGS)
def test_arabic_wording(owner, msgid, expected, wrong):
    translation = next(m.string for m in read(po_path(owner, "ar")) if m.id == msgid)
    assert expected in translation and not (wrong and wrong in translation), translation


# The portal merges the core's and every plugin's catalog into one per language, and Flask-Babel keeps the plural
# rule of the catalog merged last: catalogs of one language with different Plural-Forms pick the wrong form.


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_of_a_language_share_one_plural_rule(lang):
    rules = {owner: read(po_path(owner, lang)).plural_forms.replace(" ", "") for owner in OWNERS}
    assert len(set(rules.values())) == 1, f"{lang}: {rules}"


# After the number, 11 to 99 (msgstr[5] in Babel's rule) take the accusative singular with tanween, 100 to 102
# (msgstr[4]) the genitive singular without it; a message that counts without a noun ("عدد الطلبات: %(num)d.")
# has one form for all. The counted number is the last one a noun follows ("من %(low)d إلى %(high)d دقيقةً").
ARABIC_NOUN_AFTER_NUMBER = re.compile(r"%\(\w+\)d ([^\s.,:;!?؟،()%]+)")
ARABIC_ACCUSATIVE = re.compile(r"(ًا|اً|ةً|ءً)$")


@pytest.mark.parametrize("owner", OWNERS)
def test_arabic_counts_use_the_accusative_from_11_to_99(owner):
    wrong = []
    for message in read(po_path(owner, "ar")):
        if not message.pluralizable or len(set(message.string)) == 1:
            continue
        hundred, eleven = ((ARABIC_NOUN_AFTER_NUMBER.findall(message.string[i]) or [None])[-1] for i in (4, 5))
        if not (eleven and ARABIC_ACCUSATIVE.search(eleven)):
            wrong.append(f"{message.id[0]!r} [5] (11-99): {message.string[5]!r}")
        if not hundred or ARABIC_ACCUSATIVE.search(hundred):
            wrong.append(f"{message.id[0]!r} [4] (100-102): {message.string[4]!r}")
    assert not wrong, "\n".join(wrong)


def test_arabic_accusative_check_finds_the_swapped_forms():
    assert ARABIC_ACCUSATIVE.search(ARABIC_NOUN_AFTER_NUMBER.search("نحتفظ بطلبكم مدة %(num)d يومًا").group(1))
    assert not ARABIC_ACCUSATIVE.search(ARABIC_NOUN_AFTER_NUMBER.search("نحتفظ بطلبكم مدة %(num)d يوم").group(1))
