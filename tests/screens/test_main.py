"""``opet-kiosk`` refuses a configuration it cannot run with before it configures Kivy: exit
status 2 and one line naming the setting (in the journal on a station)."""
from pathlib import Path

import pytest

from screens.main import main


@pytest.mark.parametrize(
    ("toml", "complaint"),
    [
        ('[service]\ntoken_file = "/nonexistent/device-token"\n', "service.token_file cannot be read"),
        ('[reader]\nprofiles = ["magstripe"]\n', "reader.profiles: unknown card profile 'magstripe'"),
        ('[screen]\ncheck_digit = "ture"\n', "screen.check_digit should be true or false, not 'ture'"),
        ("[service]\ntimeout_seconds = -3\n", "service.timeout_seconds should be a number from 0.1 to 60, not -3"),
    ],
)
def test_a_configuration_the_kiosk_cannot_run_with_stops_it_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, complaint: str
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(toml, encoding="utf-8")
    assert main(["--config", str(config)]) == 2
    assert complaint in capsys.readouterr().err
