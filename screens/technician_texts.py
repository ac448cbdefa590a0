"""Texts of the technician's self-test composed from its findings (:mod:`kiosk.self_test`).
Message ids are English, translated by the catalogs in screens/locale like every other screen
text; ``_`` is the current gettext. Commands, config keys, paths and PC/SC messages stay as
they are: the technician types or searches them."""
from __future__ import annotations

import datetime as dt

from kiosk.formatting import LOCALES
from kiosk.self_test import Check, Finding, SelfTestReport, Status
from screens.texts import Gettext

GIB = 1 << 30


def status_word(_: Gettext, status: Status) -> str:
    """The status column: one short word."""
    return {Status.OK: _("OK"), Status.WARN: _("Check"), Status.FAIL: _("Fault")}[status]


def summary_text(_: Gettext, report: SelfTestReport) -> str:
    worst = {
        Status.OK: _("Everything checked is working."),
        Status.WARN: _("Working, with something to look at below."),
        Status.FAIL: _("Something is wrong: see the lines marked Fault and what to do."),
    }[report.worst]
    return _("{summary}  (checked at {time})").format(summary=worst, time=clock_text(report.finished_at))


def self_test_failed_text(_: Gettext, error: BaseException | None) -> str:
    return _("The self-test itself failed ({error}): run `opet-reader list` and check the kiosk's log.").format(
        error=type(error).__name__
    )


def title_text(_: Gettext, check: Check) -> str:
    if check.key == "service":
        return _("Service {url}").format(url=check.values["url"])
    return {
        "reader": _("Card reader"),
        "last_read": _("Last card read"),
        "clock": _("Clock against the service"),
        "version": _("Software version"),
        "config": _("Configuration"),
        "disk": _("Disk"),
        "heartbeat": _("Last heartbeat sent"),
    }[check.key]


def value_text(_: Gettext, check: Check, language: str) -> str:
    """What was found, with its figures written the language's way."""
    v, found = check.values, check.finding
    if found in (Finding.READERS_SEEN, Finding.READERS_UNAVAILABLE):
        return "; ".join(f"{name}: {reader_state_word(_, state)}" for name, state in v["readers"])
    if found is Finding.READ_OK:
        read = v["read"]
        where = f"{read.profile} ({read.addressing})" if read.addressing else read.profile
        return _("{card} by {profile} at {time}, {ms} ms").format(
            card=read.identity, profile=where, time=clock_text(read.at), ms=number(read.read_ms, 1, language)
        )
    if found in (Finding.SERVICE_OK, Finding.SERVICE_SLOW):
        return _("HTTP {status} in {ms} ms").format(status=v["http_status"], ms=number(v["latency_ms"], 0, language))
    if found is Finding.CLOCK_OFF:
        offset = v["offset_seconds"]
        text = _("ahead by {seconds} s (±1 s)") if offset > 0 else _("behind by {seconds} s (±1 s)")
        return text.format(seconds=number(abs(offset), 0, language))
    if found in (Finding.DISK_FREE, Finding.DISK_LOW, Finding.DISK_ALMOST_FULL):
        return _("{free} GiB free of {total} GiB ({path})").format(
            free=number(v["free_bytes"] / GIB, 1, language), total=number(v["total_bytes"] / GIB, 1, language), path=v["path"]
        )
    if found in (Finding.HEARTBEAT_SENT, Finding.HEARTBEAT_LATE):
        return _("{time} ({seconds} s ago)").format(time=clock_text(v["at"]), seconds=number(v["age_seconds"], 0, language))
    if found is Finding.HEARTBEAT_NONE and v.get("waiting"):
        return _("none delivered yet (the last one is waiting to be resent)")
    if found is Finding.NO_READER and v["name_filter"]:
        return _('no reader named like "{name}" connected').format(name=v["name_filter"])
    return {
        Finding.PCSC_DOWN: lambda: _("PC/SC service not answering ({error})").format(error=v.get("error", "")),
        Finding.NO_READER: lambda: _("no reader connected"),
        Finding.READ_FAILED: lambda: f"{clock_text(v['at'])}: {v['message']}",
        Finding.NO_READ_YET: lambda: _("no card read since the kiosk started"),
        Finding.SERVICE_UNHEALTHY: lambda: f"HTTP {v['http_status']}",
        Finding.SERVICE_TLS: lambda: _("TLS certificate not trusted"),
        Finding.SERVICE_UNREACHABLE: lambda: _("not reachable ({cause})").format(cause=v["cause"]),
        Finding.CLOCK_IN_STEP: lambda: _("in step (±1 s)"),
        Finding.CLOCK_NO_ANSWER: lambda: _("not checked: the service did not answer"),
        Finding.CLOCK_NO_DATE: lambda: _("not checked: the service sent no Date header"),
        Finding.CLOCK_BAD_DATE: lambda: _("not checked: the service's Date header is unreadable"),
        Finding.VERSION: lambda: str(v["version"]),
        Finding.CONFIG_FILE: lambda: str(v["path"]),
        Finding.CONFIG_DEFAULTS: lambda: _("none: built-in defaults"),
        Finding.HEARTBEAT_NONE: lambda: _("none delivered yet"),
    }[found]()


def advice_text(_: Gettext, check: Check) -> str:
    """What to do; empty when nothing is to be done."""
    v, found = check.values, check.finding
    if check.status is Status.OK:
        return ""
    if found is Finding.NO_READER:
        advice = _("Plug the reader in (another USB port if it still is not seen); `opet-reader list` shows what PC/SC sees.")
        return advice + (" " + _("Check [reader] name_filter.") if v["name_filter"] else "")
    if found is Finding.READ_FAILED:
        return _("Hold the card on the reader and run `opet-reader probe`; paste the [reader] block it prints "
                 "into {path} and restart the kiosk.").format(path=v["config_path"] or _("the configuration file"))
    sync = _("Turn time sync on: sudo timedatectl set-ntp true (and check the NTP server is reachable).")
    return {
        Finding.PCSC_DOWN: _("Restart it: sudo systemctl restart pcscd; then check again."),
        Finding.READERS_UNAVAILABLE: _("Unplug the reader and plug it in again."),
        Finding.NO_READ_YET: _("Tap a card to check the reader reads it."),
        Finding.SERVICE_UNHEALTHY: _("The service answers but is not healthy: call the help desk."),
        Finding.SERVICE_TLS: _("Check [service] ca_file names the service's CA, and the kiosk's date."),
        Finding.SERVICE_UNREACHABLE: _("Check the network cable or Wi-Fi, then [service] url; the service may be down: call the help desk."),
        Finding.SERVICE_SLOW: _("Slow network: balances will take long to show."),
        Finding.CLOCK_OFF: sync,
        Finding.CONFIG_DEFAULTS: _("A station runs with --config /etc/opet-kiosk/kiosk.toml."),
        Finding.DISK_LOW: _("Getting full: free some space."),
        Finding.DISK_ALMOST_FULL: _("Almost full: heartbeats and logs stop being kept. Free space or call the help desk."),
        Finding.HEARTBEAT_NONE: _("Heartbeats go once a minute; if the service check above fails, fix that first."),
        Finding.HEARTBEAT_LATE: _("Heartbeats are late: the fleet view will show this kiosk as silent."),
    }.get(found, "")


def reader_state_word(_: Gettext, state: str) -> str:
    """PC/SC's reader states (:func:`hardware.readers.reader_statuses`) in words."""
    return {
        "empty": _("empty"),
        "card": _("card on it"),
        "card in use": _("card in use"),
        "mute card": _("card not answering"),
        "unavailable": _("unavailable"),
    }.get(state, state)


def number(value: float, decimals: int, language: str) -> str:
    """``2.5`` -> ``2,5`` in Turkish, ``2.5`` in English (no grouping: these are small figures)."""
    from babel.numbers import format_decimal

    pattern = "0." + "0" * decimals if decimals else "0"
    return format_decimal(round(value, decimals), format=pattern, locale=LOCALES[language])


def clock_text(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")
