"""The technician's self-test in words: every finding has its text in Turkish and English,
figures written the language's way, commands and config keys left as typed."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.self_test import Check, Finding, LastRead, SelfTestReport, Status
from screens.i18n import load_catalog
from screens.technician_texts import advice_text, status_word, summary_text, title_text, value_text

MOMENT = dt.datetime(2026, 12, 7, 11, 30, 5, tzinfo=dt.timezone.utc)
LOCAL = MOMENT.astimezone().strftime("%H:%M:%S")
READ = LastRead("Virtual PCD 00 00", "•••• •••• •••• 6566", "iso7816", "current", MOMENT, 12.34)
SAMPLE_VALUES = {  # one check per finding, with the values the core gives it
    Finding.READERS_SEEN: {"readers": (("ACS ACR122U", "empty"),)},
    Finding.PCSC_DOWN: {"error": "SCARD_E_NO_SERVICE"},
    Finding.NO_READER: {"name_filter": "ACS"},
    Finding.READERS_UNAVAILABLE: {"readers": (("ACS ACR122U", "unavailable"),)},
    Finding.READ_OK: {"read": READ},
    Finding.READ_FAILED: {"at": MOMENT, "message": "READ BINARY: 6A81", "config_path": None},
    Finding.SERVICE_OK: {"url": "https://paro.example", "http_status": 200, "latency_ms": 42.4},
    Finding.SERVICE_SLOW: {"url": "https://paro.example", "http_status": 200, "latency_ms": 812.0},
    Finding.SERVICE_UNHEALTHY: {"url": "https://paro.example", "http_status": 503},
    Finding.SERVICE_TLS: {"url": "https://paro.example"},
    Finding.SERVICE_UNREACHABLE: {"url": "https://paro.example", "cause": "ConnectTimeout"},
    Finding.CLOCK_OFF: {"offset_seconds": -3600.4},
    Finding.VERSION: {"version": "0.1.0"},
    Finding.CONFIG_FILE: {"path": "/etc/opet-kiosk/kiosk.toml"},
    Finding.DISK_FREE: {"free_bytes": 5 << 29, "total_bytes": 32 << 30, "path": "/var/lib/opet-kiosk"},
    Finding.DISK_LOW: {"free_bytes": 5 << 29, "total_bytes": 32 << 30, "path": "/var/lib/opet-kiosk"},
    Finding.DISK_ALMOST_FULL: {"free_bytes": 5 << 29, "total_bytes": 32 << 30, "path": "/var/lib/opet-kiosk"},
    Finding.HEARTBEAT_SENT: {"at": MOMENT, "age_seconds": 31.2},
    Finding.HEARTBEAT_LATE: {"at": MOMENT, "age_seconds": 400.0},
    Finding.HEARTBEAT_NONE: {"waiting": True},
}
KEYS = {"READ": "last_read", "READERS": "reader", "PCSC": "reader", "NO_READER": "reader", "NO_READ_YET": "last_read", "SERVICE": "service",
        "CLOCK": "clock", "VERSION": "version", "CONFIG": "config", "DISK": "disk", "HEARTBEAT": "heartbeat"}


def key_of(finding: Finding) -> str:
    return next(key for prefix, key in KEYS.items() if finding.name.startswith(prefix))


def words(language: str, check: Check) -> tuple[str, str, str, str]:
    _ = load_catalog(language).gettext
    return status_word(_, check.status), title_text(_, check), value_text(_, check, language), advice_text(_, check)


@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_finding_has_a_title_and_a_value_and_every_problem_says_what_to_do(language: str) -> None:
    for finding in Finding:
        for status in (Status.WARN, Status.FAIL):
            check = Check(key_of(finding), status, finding, SAMPLE_VALUES.get(finding, {}))
            word, title, value, advice = words(language, check)
            assert word and title and value, finding
            if finding not in (Finding.CLOCK_NO_ANSWER, Finding.CLOCK_NO_DATE, Finding.CLOCK_BAD_DATE, Finding.READERS_SEEN,
                               Finding.READ_OK, Finding.SERVICE_OK, Finding.VERSION, Finding.CONFIG_FILE, Finding.DISK_FREE,
                               Finding.HEARTBEAT_SENT, Finding.CLOCK_IN_STEP):
                assert advice, finding
    assert advice_text(lambda text: text, Check("clock", Status.OK, Finding.CLOCK_OFF, {"offset_seconds": 2.0})) == ""


def test_a_clock_an_hour_behind_in_turkish_and_in_english() -> None:
    check = Check("clock", Status.FAIL, Finding.CLOCK_OFF, {"offset_seconds": -3600.4})
    assert words("tr", check) == (
        "Arıza", "Servise göre saat farkı", "3600 sn geride (±1 sn)",
        "Saat eşitlemeyi açın: sudo timedatectl set-ntp true (ve NTP sunucusuna erişilebildiğini kontrol edin).",
    )
    assert words("en", check) == (
        "Fault", "Clock against the service", "behind by 3600 s (±1 s)",
        "Turn time sync on: sudo timedatectl set-ntp true (and check the NTP server is reachable).",
    )


def test_figures_are_written_the_language_s_way() -> None:
    disk = Check("disk", Status.WARN, Finding.DISK_LOW, SAMPLE_VALUES[Finding.DISK_LOW])
    assert words("tr", disk)[2:] == ("32,0 GiB'ın 2,5 GiB'ı boş (/var/lib/opet-kiosk)", "Disk doluyor: biraz yer açın.")
    assert words("en", disk)[2:] == ("2.5 GiB free of 32.0 GiB (/var/lib/opet-kiosk)", "Getting full: free some space.")
    read = Check("last_read", Status.OK, Finding.READ_OK, {"read": READ})
    assert words("tr", read) == ("Tamam", "Son kart okuma", f"•••• •••• •••• 6566, iso7816 (current) ile, saat {LOCAL}, 12,3 ms", "")
    assert words("en", read)[2] == f"•••• •••• •••• 6566 by iso7816 (current) at {LOCAL}, 12.3 ms"


def test_a_missing_reader_and_a_failed_read_name_the_commands_and_the_file() -> None:
    reader = Check("reader", Status.FAIL, Finding.NO_READER, {"name_filter": "ACS ACR122U"})
    assert words("tr", reader)[2:] == (
        'adında "ACS ACR122U" geçen bağlı kart okuyucu yok',
        "Kart okuyucuyu takın (yine görünmüyorsa başka bir USB girişine); `opet-reader list` PC/SC'nin gördüklerini "
        "gösterir. [reader] name_filter ayarını kontrol edin.",
    )
    failed = Check("last_read", Status.FAIL, Finding.READ_FAILED,
                   {"at": MOMENT, "message": "READ BINARY: 6A81 FUNCTION_NOT_SUPPORTED", "config_path": None})
    tr_value, tr_advice = words("tr", failed)[2:]
    assert tr_value == f"{LOCAL}: READ BINARY: 6A81 FUNCTION_NOT_SUPPORTED"
    assert "`opet-reader probe` çalıştırın" in tr_advice and "yapılandırma dosyası içine" in tr_advice
    assert "into the configuration file and restart the kiosk" in words("en", failed)[3]


def test_the_summary_names_the_worst_status_and_the_time() -> None:
    report = SelfTestReport((Check("version", Status.OK, Finding.VERSION, {"version": "1"}),
                             Check("disk", Status.FAIL, Finding.DISK_ALMOST_FULL, SAMPLE_VALUES[Finding.DISK_ALMOST_FULL])), MOMENT)
    assert summary_text(load_catalog("tr").gettext, report) == (
        f"Bir arıza var: «Arıza» yazan satırlara ve yapılacaklara bakın.  (kontrol saati {LOCAL})"
    )
    assert summary_text(lambda text: text, report) == (
        f"Something is wrong: see the lines marked Fault and what to do.  (checked at {LOCAL})"
    )
