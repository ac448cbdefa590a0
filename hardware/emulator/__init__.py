"""A card emulator for vsmartcard's vpcd: virtual cards tapped through the real pcscd."""
from hardware.emulator.cards import CardApp, ContactlessUidCard, IsoLoyaltyCard, MifareClassicCard
from hardware.emulator.file_card import Application, ElementaryFile, FileSystemCard, ef_dir, number_applet
from hardware.emulator.reader_feedback import AcsFeedbackReader
from hardware.emulator.faults import CardPulled, FaultyCard, PullCard, RawAnswer, SlowAnswer, WrongStatus
from hardware.emulator.vpcd import VPCD_PORT, EmulatorError, VirtualCard

__all__ = [
    "VPCD_PORT",
    "AcsFeedbackReader",
    "Application",
    "ElementaryFile",
    "FileSystemCard",
    "ef_dir",
    "number_applet",
    "CardApp",
    "CardPulled",
    "ContactlessUidCard",
    "EmulatorError",
    "FaultyCard",
    "IsoLoyaltyCard",
    "MifareClassicCard",
    "PullCard",
    "RawAnswer",
    "SlowAnswer",
    "VirtualCard",
    "WrongStatus",
]
