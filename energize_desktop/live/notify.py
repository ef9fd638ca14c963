"""Alert notifications leaving the machine: a webhook (JSON POST) and e-mail over SMTP.

Both retry with backoff; e-mail uses STARTTLS by default and reads its password from the OS
keyring (never from a file). The clock's `sleep` is injectable so tests never wait.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

from energize_desktop import secrets
from energize_desktop.core.errors import EnergizeError


class NotifyError(EnergizeError):
    pass


def _with_retries(send, what: str, retries: int, backoff_s: float, sleep) -> int:
    """Call `send` until it works; returns the attempts used, raises after the last."""
    for attempt in range(retries + 1):
        try:
            send()
            return attempt + 1
        except (OSError, smtplib.SMTPException, urllib.error.URLError) as exc:
            if attempt == retries:
                raise NotifyError(f"{what}: gave up after {retries + 1} attempts ({exc})") from None
            sleep(backoff_s * 2 ** attempt)
    raise AssertionError("unreachable")


@dataclass
class Webhook:
    url: str
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 10.0
    sleep: object = time.sleep

    def send(self, payload: dict) -> int:
        body = json.dumps(payload).encode()

        def post():
            req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                if resp.status >= 300:
                    raise OSError(f"HTTP {resp.status}")

        return _with_retries(post, f"webhook {self.url}", self.retries, self.backoff_s,
                             self.sleep)


@dataclass
class Email:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password_key: str | None = None  # keyring entry, or a named source (env:, file:, systemd:)
    starttls: bool = True
    ca_file: str | None = None
    retries: int = 3
    backoff_s: float = 2.0
    timeout_s: float = 15.0
    sleep: object = time.sleep

    def send(self, subject: str, text: str) -> int:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, ", ".join(self.to), subject
        msg.set_content(text)
        password = secrets.read(self.password_key) if self.password_key else None

        def deliver():
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file))
                if self.username:
                    if password is None:
                        raise NotifyError(f"SMTP {self.host}: a login without a password "
                                          "source", field="password_key")
                    smtp.login(self.username, password)
                smtp.send_message(msg)

        return _with_retries(deliver, f"SMTP {self.host}:{self.port}", self.retries,
                             self.backoff_s, self.sleep)




def channels_from_json(text: str | None, where: str = "notification settings"):
    """(Webhook or None, Email or None) from the workspace's notification settings."""
    if not text:
        return None, None
    try:
        d = json.loads(text)
        hook = Webhook(**d["webhook"]) if d.get("webhook") else None
        mail = d.get("email")
        email = Email(**{**mail, "to": tuple(mail["to"])}) if mail else None
    except (ValueError, TypeError, KeyError) as exc:
        raise NotifyError(f"{where}: not valid ({exc})") from None
    return hook, email


def channels_to_json(webhook: "Webhook | None", email: "Email | None") -> str:
    keep = lambda obj, fields: {f: getattr(obj, f) for f in fields}  # noqa: E731
    return json.dumps({
        "webhook": keep(webhook, ("url", "retries", "backoff_s", "timeout_s")) if webhook
        else None,
        "email": {**keep(email, ("host", "port", "sender", "username", "password_key",
                                 "starttls", "ca_file", "retries")), "to": list(email.to)}
        if email else None})
