"""An immutable state that one owner changes on the UI thread and hands to its listeners."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Generic, TypeVar

S = TypeVar("S")


class Published(Generic[S]):
    """The driver's session and attendant mode's desk each publish their state this way: every
    change is a new immutable value, given to each listener as it is made (on the UI thread)."""

    def __init__(self, initial: S) -> None:
        self._state = initial
        self._listeners: list[Callable[[S], None]] = []

    @property
    def state(self) -> S:
        return self._state

    def subscribe(self, listener: Callable[[S], None]) -> None:
        """Call ``listener`` with every new state (on the UI thread)."""
        self._listeners.append(listener)

    def _publish(self, state: S) -> None:
        self._state = state
        for listener in list(self._listeners):
            listener(state)

    def _update(self, **changes: Any) -> None:
        """The state with ``changes``, published."""
        self._publish(replace(self._state, **changes))  # type: ignore[type-var]
