"""The Turkish catalog against every message the screens use, both ways."""
import re

from babel.messages.pofile import read_po

from screens.i18n import LOCALE_DIR, load_catalog
from screens.messages import used_message_ids

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def turkish_catalog():
    with (LOCALE_DIR / "tr" / "LC_MESSAGES" / "kiosk.po").open("rb") as source:
        return read_po(source)


def test_every_message_has_a_turkish_translation_and_none_is_left_over() -> None:
    catalog = turkish_catalog()
    translated = {message.id: message.string for message in catalog if message.id and not message.fuzzy}
    used = used_message_ids()
    assert used - set(translated) == set(), "messages without a Turkish translation"
    assert set(translated) - used == set(), "translations nobody uses"
    assert all(translated[message_id] for message_id in used)


def test_translations_keep_their_placeholders() -> None:
    for message in turkish_catalog():
        if message.id:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


def test_the_installed_compiled_catalog_is_current() -> None:
    compiled = load_catalog("tr")
    for message in turkish_catalog():
        if message.id:
            assert compiled.gettext(message.id) == message.string, "run scripts/bootstrap.sh to recompile"
