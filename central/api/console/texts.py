"""Every text of the console, in Turkish (first) and English.

``text(lang, key, **values)`` formats the entry with ``str.format``. Error codes of the
service (``opetcard.errors``) have entries under ``error.<code>``, so a refusal of the domain
is said in the page's language; an unknown code falls back to :data:`GENERIC_ERROR`.
"""
from __future__ import annotations

LANGUAGES = ("tr", "en")
GENERIC_ERROR = "error.generic"

TEXTS: dict[str, tuple[str, str]] = {
    "app_name": ("Opet Kart Konsol", "Opet Kart Console"),
    "skip_to_content": ("İçeriğe geç", "Skip to content"),
    "language_switch": ("English", "Türkçe"),
    "language_switch_label": ("Switch to English", "Türkçe'ye geç"),
    "main_menu": ("Ana menü", "Main menu"),
    "signed_in_as": ("Oturum: {name} ({role})", "Signed in: {name} ({role})"),
    "role.agent": ("çağrı merkezi", "call centre"),
    "role.admin": ("yönetim", "back office"),
    "sign_in": ("Oturum aç", "Sign in"),
    "sign_out": ("Oturumu kapat", "Sign out"),
    "username": ("Kullanıcı adı", "Username"),
    "password": ("Parola", "Password"),
    "sign_in_intro": ("Çağrı merkezi ve yönetim konsolu. Kendi hesabınızla oturum açın.",
                      "Call-centre and back-office console. Sign in with your own account."),
    "sign_in_wrong": ("Kullanıcı adı veya parola yanlış. Kilitlenmeden önce {left} deneme kaldı.",
                      "Wrong username or password. {left} attempt(s) left before the account is locked."),
    "sign_in_locked": ("Çok fazla yanlış parola: bu hesap {minutes} dakika kilitli. Yöneticiniz kilidi açabilir.",
                       "Too many wrong passwords: this account is locked for {minutes} minute(s). "
                       "An admin can unlock it."),
    "signed_out": ("Oturum kapatıldı.", "You have signed out."),
    "session_ended": ("Oturumunuz sona erdi; yeniden oturum açın.", "Your session has ended; sign in again."),
    "home": ("Ana sayfa", "Home"),
    "nav.find_caller": ("Arayanı bul", "Find the caller"),
    "nav.register": ("Kart kaydı", "Register a holder"),
    "nav.fleet": ("Kiosk filosu", "Kiosk fleet"),
    "nav.attendants": ("Görevliler", "Attendants"),
    "nav.staff": ("Konsol hesapları", "Console accounts"),
    "nav.audit": ("Denetim kaydı", "Audit"),
    "nav.earn_rules": ("Kazanma oranları", "Earn rates"),
    "home_intro_agent": ("Arayan müşterinin kartını bulun, kimliğini doğrulayın, puanlarını yeni karta taşıyın "
                         "veya çalınan kartı bloke edin.",
                         "Find the caller's card, confirm who they are, move their points to a new card or "
                         "block a stolen card."),
    "home_intro_admin": ("Kiosk filosu, görevliler, konsol hesapları, denetim kaydı ve puan kazanma oranları.",
                         "The kiosk fleet, attendants, console accounts, the audit trail and the earn rates."),
    "refused_title": ("İzin verilmedi", "Not allowed"),
    "csrf_refused": ("Bu form bu oturumdan gelmiyor veya süresi dolmuş; hiçbir şey değişmedi. Sayfayı yenileyip "
                     "yeniden deneyin.",
                     "This form did not come from this session or has expired; nothing was changed. Reload the "
                     "page and try again."),
    "wrong_role": ("Bu sayfa hesabınızın rolüne açık değil.", "This page is not open to your account's role."),
    "back_home": ("Ana sayfaya dön", "Back to the home page"),
    "not_found": ("Sayfa bulunamadı.", "Page not found."),
    GENERIC_ERROR: ("İşlem yapılamadı ({code}).", "That could not be done ({code})."),
}


def text(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (Turkish unless ``lang`` is ``"en"``), formatted with ``values``."""
    entry = TEXTS.get(key)
    if entry is None and key.startswith("error."):
        entry, values = TEXTS[GENERIC_ERROR], {"code": key.removeprefix("error.")}
    if entry is None:
        raise KeyError(f"no console text {key!r}")
    chosen = entry[1] if lang == "en" else entry[0]
    return chosen.format(**values) if values else chosen
