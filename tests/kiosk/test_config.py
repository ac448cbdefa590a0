from pathlib import Path

import re

import pytest

from kiosk.config import ConfigError, load_config


def test_defaults_without_a_file() -> None:
    config = load_config(None, environ={})
    assert config.service.url == "http://127.0.0.1:8600"
    assert config.screen.idle_timeout_seconds == 30.0
    assert config.screen.language == "tr"


def test_file_then_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[service]\nurl = "http://central:9000"\ntimeout_seconds = 1.5\n'
        '[demo]\ncards = ["7000070012806566", "7000071234567895"]\n',
        encoding="utf-8",
    )
    config = load_config(path, environ={"OPET_KIOSK_SCREEN_IDLE_TIMEOUT_SECONDS": "12", "OPET_KIOSK_SERVICE_RETRIES": "0"})
    assert config.service.url == "http://central:9000"
    assert config.service.timeout_seconds == 1.5
    assert config.service.retries == 0
    assert config.screen.idle_timeout_seconds == 12.0
    assert config.demo.cards == ("7000070012806566", "7000071234567895")


def test_token_is_read_from_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n", encoding="utf-8")
    config = load_config(None, environ={"OPET_KIOSK_SERVICE_TOKEN_FILE": str(token_file)})
    assert config.service.device_token() == "s3cret"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("[service]\nretries = 'many'\n", "service.retries should be a whole number from 0 to 10, not 'many'"),
        ("[service]\nretries = 2.5\n", "service.retries should be a whole number from 0 to 10, not 2.5"),
        ("[service]\ntimeout_seconds = 0\n", "service.timeout_seconds should be a number from 0.1 to 60, not 0"),
        ("[screen]\ncheck_digit = 'ture'\n", "screen.check_digit should be true or false, not 'ture'"),
        ("[screen]\nwidth = 12\n", "screen.width should be a whole number from 320 to 7680, not 12"),
        ("[screen]\nlanguage = 'de'\n", "screen.language should be one of tr, en, not 'de'"),
        ("[service]\nurl = 8600\n", "service.url should be a text, not 8600"),
        ("[service]\nulr = 'x'\n", "unknown key(s) in [service]: ulr"),
        ("[screens]\n", "unknown section(s): screens"),
        ("[service\n", "not valid TOML"),
    ],
)
def test_bad_files_say_which_key(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(complaint)):
        load_config(path, environ={})


def test_missing_token_file_is_a_config_error(tmp_path: Path) -> None:
    config = load_config(None, environ={"OPET_KIOSK_SERVICE_TOKEN_FILE": str(tmp_path / "absent")})
    with pytest.raises(ConfigError, match="token_file cannot be read"):
        config.service.device_token()


def test_booleans_from_the_environment() -> None:
    config = load_config(None, environ={"OPET_KIOSK_SCREEN_CHECK_DIGIT": "false", "OPET_KIOSK_SCREEN_HIGH_CONTRAST": "1"})
    assert config.screen.check_digit is False
    assert config.screen.high_contrast is True


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"OPET_KIOSK_SCREEN_CHECK_DIGIT": "ture"}, "screen.check_digit should be true or false, not 'ture'"),
        ({"OPET_KIOSK_SERVICE_RETRIES": "-1"}, "service.retries should be a whole number from 0 to 10, not '-1'"),
        ({"OPET_KIOSK_ATTENDANT_HOLD_SECONDS": "soon"}, "attendant.hold_seconds should be a number from 0.1 to 30, not 'soon'"),
    ],
)
def test_a_wrong_override_names_its_key_and_what_it_allows(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(complaint)):
        load_config(None, environ=environ)


def test_numbers_from_the_environment_take_the_setting_type() -> None:
    config = load_config(None, environ={"OPET_KIOSK_SERVICE_RETRIES": "0", "OPET_KIOSK_SCREEN_DIAGONAL_INCHES": "21.5"})
    assert (config.service.retries, config.screen.diagonal_inches) == (0, 21.5)
    assert isinstance(config.service.retries, int)


def test_card_profiles_come_from_the_file_or_the_environment(tmp_path: Path) -> None:
    assert [p.name for p in load_config(None, environ={}).reader.card_profiles()] == ["iso7816"]
    path = tmp_path / "kiosk.toml"
    path.write_text('[reader]\nprofiles = ["iso7816", "uid"]\n', encoding="utf-8")
    assert [p.name for p in load_config(path, environ={}).reader.card_profiles()] == ["iso7816", "uid"]
    config = load_config(path, environ={"OPET_KIOSK_READER_PROFILES": "uid, iso7816"})
    assert [p.name for p in config.reader.card_profiles()] == ["uid", "iso7816"]


@pytest.mark.parametrize(
    ("profiles", "complaint"), [("nfc", "unknown card profile 'nfc'"), ("uid,uid", "listed twice"), ("", "at least one")]
)
def test_a_wrong_profile_list_fails_at_load_time(profiles: str, complaint: str) -> None:
    with pytest.raises(ConfigError, match=re.escape("reader.profiles: ") + ".*" + re.escape(complaint)):
        load_config(None, environ={"OPET_KIOSK_READER_PROFILES": profiles})


def test_reader_profiles_take_their_options_from_sub_tables(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[reader]\nprofiles = ["mifare_classic", "uid"]\n'
        '[reader.mifare_classic]\nsector = 2\nblock = 1\nkeys = [{ key = "A0A1A2A3A4A5", type = "A" }]\n',
        encoding="utf-8",
    )
    mifare, uid = load_config(path, environ={}).reader.card_profiles()
    assert (mifare.name, uid.name) == ("mifare_classic", "uid")
    assert (mifare.sector, mifare.block) == (2, 1)


def test_a_wrong_profile_option_is_a_config_error_without_the_key(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[reader]\nprofiles = ["mifare_classic"]\n[reader.mifare_classic]\nkeys = [{ key = "A0A1" }]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="reader.profiles") as raised:
        load_config(path, environ={})
    assert "A0A1" not in str(raised.value)


@pytest.mark.parametrize(
    ("content", "environ", "complaint"),
    [
        ("service = 3\n", {}, "service should be a table ([service])"),
        ('[reader]\nprofiles = ["mifare_classic"]\nmifare_classic = 1\n', {}, "reader.mifare_classic should be a table"),
        ("", {"OPET_KIOSK_READER_UID": "x"}, "reader.uid should be a table"),
    ],
)
def test_a_value_where_a_table_belongs_says_so(tmp_path: Path, content: str, environ: dict[str, str], complaint: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(complaint)):
        load_config(path, environ=environ)


def test_the_configuration_cannot_be_changed_once_loaded(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[reader]\nprofiles = ["mifare_classic"]\n[reader.mifare_classic]\nsector = 2\n', encoding="utf-8")
    config = load_config(path, environ={})
    with pytest.raises(AttributeError):
        config.screen.language = "en"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.reader.mifare_classic["sector"] = 3  # type: ignore[index]
    assert config.reader.card_profiles()[0].sector == 2
