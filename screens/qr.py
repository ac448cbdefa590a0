"""QR codes: one that opens the phone's SMS app with the activation message already written,
and the replacement receipt a holder photographs."""
from __future__ import annotations

from functools import lru_cache
from io import BytesIO

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture

SMS_NUMBER = "6738"


def sms_uri(body: str) -> str:
    """``SMSTO:6738:<body>``, the form phone camera apps read as "send an SMS"."""
    return f"SMSTO:{SMS_NUMBER}:{body}"


@lru_cache(maxsize=8)
def sms_qr_texture(body: str) -> Texture:
    return text_qr_texture(sms_uri(body))


def text_qr_texture(text: str) -> Texture:
    """A QR code of ``text`` (UTF-8), drawn as a texture."""
    image = qrcode.make(text, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return CoreImage(buffer, ext="png").texture
