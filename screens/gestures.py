"""The hidden gesture that opens attendant mode: hold a spot for a few seconds.

Nothing shows while it is held, so a driver resting a hand there does not notice anything;
the PIN screen that follows is what keeps attendant mode closed to them.
"""
from __future__ import annotations

from kivy.clock import Clock, ClockEvent
from kivy.input.motionevent import MotionEvent
from kivy.properties import NumericProperty
from kivy.uix.label import Label


class LongPressLabel(Label):
    """A label that fires ``on_long_press`` when one finger stays on it for ``hold_seconds``."""

    hold_seconds = NumericProperty(3.0)
    __events__ = ("on_long_press",)
    _pending: ClockEvent | None = None

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self._cancel()
        self._pending = Clock.schedule_once(self._fire, self.hold_seconds)
        return True

    def on_touch_move(self, touch: MotionEvent) -> bool:
        if touch.grab_current is self and not self.collide_point(*touch.pos):
            self._cancel()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return super().on_touch_up(touch)

    def on_long_press(self) -> None:
        """Default handler; bind ``on_long_press`` in the .kv rule."""

    def _fire(self, _dt: float) -> None:
        """Still held (lifting or sliding off cancels this call)."""
        self._pending = None
        self.dispatch("on_long_press")

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
