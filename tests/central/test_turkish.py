"""Turkish casing and the name-matching key (opetcard/turkish.py)."""
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opetcard.turkish import fold_name, names_match, turkish_lower, turkish_upper

TURKISH_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ"
ASCII_FOR_TURKISH = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")

words = st.text(alphabet=TURKISH_LETTERS + "qwxQWX", min_size=1, max_size=12)
turkish_names = st.lists(words, min_size=1, max_size=4).map(" ".join)
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)


@pytest.mark.parametrize(
    ("text", "upper"),
    [
        ("i", "İ"),
        ("ı", "I"),
        ("istanbul", "İSTANBUL"),
        ("ığdır", "IĞDIR"),
        ("çağrı şükrü öğün", "ÇAĞRI ŞÜKRÜ ÖĞÜN"),
        ("ender aytekin", "ENDER AYTEKİN"),  # Python's str.upper() gives AYTEKIN
        ("s\u0327ahin", "ŞAHİN"),  # NFD ş
        ("i\u0307", "İ"),  # what Python's "İ".lower() leaves behind
    ],
)
def test_turkish_upper(text: str, upper: str) -> None:
    assert turkish_upper(text) == upper


@pytest.mark.parametrize(
    ("text", "lower"),
    [
        ("I", "ı"),
        ("İ", "i"),
        ("IĞDIR", "ığdır"),
        ("İSTANBUL", "istanbul"),
        ("ŞAHİN", "şahin"),
        ("I\u0307", "i"),  # NFD İ
        ("ENDER AYTEKİN", "ender aytekin"),
    ],
)
def test_turkish_lower(text: str, lower: str) -> None:
    assert turkish_lower(text) == lower


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ENDER AYTEKİN", "ENDER AYTEKIN"),
        ("ender aytekin", "ENDER AYTEKIN"),
        ("Ender  Aytekin", "ENDER AYTEKIN"),
        ("\t ENDER\u00a0AYTEKİN \n", "ENDER AYTEKIN"),
        ("AYTEKIN", "AYTEKIN"),
        ("aytekın", "AYTEKIN"),
        ("ŞAHİN", "SAHIN"),
        ("çağlar gündoğdu", "CAGLAR GUNDOGDU"),
        ("ÇAĞLAR GÜNDOĞDU", "CAGLAR GUNDOGDU"),
        ("Âdem Şükrü", "ADEM SUKRU"),
        (unicodedata.normalize("NFD", "ŞAHİN ÖZGÜÇ"), "SAHIN OZGUC"),
        ("I\u0307PEK", "IPEK"),  # İ typed as I + combining dot
        ("İPEK".lower(), "IPEK"),  # Python lower-cased: i + combining dot
        ("YILMAZ-ÖZTÜRK", "YILMAZ OZTURK"),
        ("Yılmaz – Öztürk", "YILMAZ OZTURK"),
        ("O'NEİL", "ONEIL"),
        ("O’Neil", "ONEIL"),
        ("AY\u200bTE\u00adKİN", "AYTEKIN"),  # zero-width space, soft hyphen
        ("ＥＮＤＥＲ", "ENDER"),  # full-width
        ("M. ALİ", "M. ALI"),  # other punctuation is kept, so it does not match MEHMET ALİ
        ("", ""),
        (" \t\n", ""),
    ],
)
def test_fold_name(text: str, key: str) -> None:
    assert fold_name(text) == key


@pytest.mark.parametrize(
    "given_name",
    ["ENDER AYTEKİN", "ender aytekin", "Ender  Aytekin", "ENDER AYTEKIN", "ender aytekın", " Ender\tAYTEKİN "],
)
def test_the_ways_to_write_ender_aytekin_match(given_name: str) -> None:
    assert names_match(given_name, "ENDER AYTEKİN")


@pytest.mark.parametrize(
    ("given_name", "on_record"),
    [
        ("SAHIN", "ŞAHİN"),
        ("AYSE GUL CICEK", "AYŞE GÜL ÇİÇEK"),
        ("ilkay", "İLKAY"),
        ("ILKAY", "İLKAY"),  # dotted and dotless i are not told apart
        ("YILMAZ OZTURK", "YILMAZ-ÖZTÜRK"),
        (unicodedata.normalize("NFD", "Güneş Öğüt"), "GÜNEŞ ÖĞÜT"),
    ],
)
def test_names_match(given_name: str, on_record: str) -> None:
    assert names_match(given_name, on_record)


@pytest.mark.parametrize(
    ("given_name", "on_record"),
    [
        ("ENDER AYTEKİN", "ENDER AYDIN"),
        ("AYTEKİN ENDER", "ENDER AYTEKİN"),  # word order matters
        ("MEHMET YILMAZ", "MEHMET ALİ YILMAZ"),  # so do middle names
        ("M. ALİ YILMAZ", "MEHMET ALİ YILMAZ"),
        ("AYŞEGÜL", "AYŞE GÜL"),
        ("", ""),  # an empty name matches nothing, not even itself
        ("  ", "\t"),
    ],
)
def test_names_that_do_not_match(given_name: str, on_record: str) -> None:
    assert not names_match(given_name, on_record)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_fold_name_is_idempotent(text: str) -> None:
    key = fold_name(text)
    assert fold_name(key) == key


@settings(max_examples=200, deadline=None)
@given(turkish_names)
def test_the_key_of_a_turkish_name_is_ascii_capitals(name: str) -> None:
    key = fold_name(name)
    assert key.isascii() and key.isupper()
    assert key.split() == [fold_name(word) for word in name.split()]


def as_variant_pair(name: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from([turkish_upper, turkish_lower, str.title, str.swapcase]).map(lambda f: (name, f(name)))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.tuples(any_text, any_text), turkish_names.flatmap(as_variant_pair)))
def test_names_match_is_symmetric(pair: tuple[str, str]) -> None:
    first, second = pair
    assert names_match(first, second) == names_match(second, first)


@settings(max_examples=200, deadline=None)
@given(turkish_names)
def test_names_match_ignores_turkish_case_ascii_folding_and_normal_form(name: str) -> None:
    for variant in (
        turkish_upper(name),
        turkish_lower(name),
        name.translate(ASCII_FOR_TURKISH),
        turkish_upper(name).translate(ASCII_FOR_TURKISH),
        unicodedata.normalize("NFD", name),
        "  " + name.replace(" ", " \t\u00a0") + "\n",
    ):
        assert names_match(name, variant)
        assert names_match(variant, name)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_any_text_matches_its_turkish_upper_and_lower_case(text: str) -> None:
    if fold_name(text):
        assert names_match(text, turkish_upper(text))
        assert names_match(text, turkish_lower(text))
    else:
        assert not names_match(text, text)
