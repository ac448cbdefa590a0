"""The kiosk's core: configuration, the API client, the session state the screens show,
and the wiring of the card watcher. Nothing here imports Kivy, so the whole flow runs and
is tested without a display."""
