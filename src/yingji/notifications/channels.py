"""Senders per channel kind. Each raises :class:`SendError` (or any exception) on failure.

* ``email`` — config ``{host, port, sender, username?, password?, starttls?, timeout?}``; missing
  keys come from the environment: ``YINGJI_SMTP_HOST`` (default ``localhost``), ``YINGJI_SMTP_PORT``
  (25), ``YINGJI_SMTP_FROM``, ``YINGJI_SMTP_USERNAME``, ``YINGJI_SMTP_PASSWORD``, ``YINGJI_SMTP_STARTTLS``.
* ``webhook`` — ``{url, headers?}``: ``POST`` of ``{"subject", "text", "data"}`` as JSON.
* ``wecom`` — ``{url}``: WeCom (企业微信) group robot, ``{"msgtype":"markdown","markdown":{"content":…}}``.
* ``dingtalk`` — ``{url}``: DingTalk group robot, ``{"msgtype":"markdown","markdown":{"title":…,"text":…}}``.
* ``sms`` — ``{url, body?, headers?}``: an HTTP gateway; ``{phone}`` and ``{text}`` are replaced in
  the URL (URL-encoded) and in every string of the JSON ``body`` template (default
  ``{"phone": "{phone}", "text": "{text}"}``).

A 2xx answer is success; for WeCom/DingTalk a JSON answer with ``errcode`` ≠ 0 is a failure.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

KINDS = ("email", "webhook", "wecom", "dingtalk", "sms")
ADDRESSED = {"email", "sms"}  # kinds that need a recipient address
SECRET_KEYS = {"password", "secret", "token"}


class SendError(Exception):
    """A delivery attempt failed (the message is kept for the log)."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    recipient: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def smtp_config(config: dict[str, Any]) -> dict[str, Any]:
    env = os.environ.get
    return {
        "host": config.get("host") or env("YINGJI_SMTP_HOST", "localhost"),
        "port": int(config.get("port") or env("YINGJI_SMTP_PORT", "25")),
        "sender": config.get("sender") or env("YINGJI_SMTP_FROM", "yingji@localhost"),
        "username": config.get("username") or env("YINGJI_SMTP_USERNAME"),
        "password": config.get("password") or env("YINGJI_SMTP_PASSWORD"),
        "starttls": bool(config.get("starttls", env("YINGJI_SMTP_STARTTLS", "") in ("1", "true", "yes"))),
        "timeout": float(config.get("timeout") or 10),
    }


def send_email(config: dict[str, Any], msg: Message) -> str:
    if not msg.recipient:
        raise SendError("no e-mail address")
    c = smtp_config(config)
    em = EmailMessage()
    em["From"] = c["sender"]
    em["To"] = msg.recipient
    em["Subject"] = msg.subject
    em.set_content(msg.text)
    with smtplib.SMTP(c["host"], c["port"], timeout=c["timeout"]) as smtp:
        if c["starttls"]:
            smtp.starttls()
        if c["username"]:
            smtp.login(c["username"], c["password"] or "")
        refused = smtp.send_message(em)
    if refused:
        raise SendError(f"refused: {refused}")
    return f"smtp {c['host']}:{c['port']} accepted"


def _post_json(url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, str]:
    if not url or not url.startswith(("http://", "https://")):
        raise SendError(f"bad url {url!r}")
    req = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http/https checked above)
            return resp.status, resp.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        raise SendError(f"HTTP {e.code} from {url}") from e
    except (urllib.error.URLError, OSError) as e:
        raise SendError(f"{url}: {e}") from e


def payload(kind: str, msg: Message) -> dict[str, Any]:
    """The JSON body a webhook kind sends."""
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": f"**{msg.subject}**\n\n{msg.text}"}}
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": msg.subject, "text": f"### {msg.subject}\n\n{msg.text}"}}
    return {"subject": msg.subject, "text": msg.text, "data": msg.data}


def send_webhook(kind: str, config: dict[str, Any], msg: Message) -> str:
    status, text = _post_json(str(config.get("url", "")), payload(kind, msg), config.get("headers"))
    if kind in ("wecom", "dingtalk"):
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
            raise SendError(f"robot refused: errcode {answer.get('errcode')} {answer.get('errmsg', '')}")
    return f"HTTP {status}"


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in values.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def send_sms(config: dict[str, Any], msg: Message) -> str:
    if not msg.recipient:
        raise SendError("no phone number")
    text = f"{msg.subject}：{msg.text}"[:500]
    url = _fill(str(config.get("url", "")), {k: urllib.parse.quote(v) for k, v in
                                             {"phone": msg.recipient, "text": text}.items()})
    body = _fill(config.get("body") or {"phone": "{phone}", "text": "{text}"}, {"phone": msg.recipient, "text": text})
    status, _ = _post_json(url, body, config.get("headers"))
    return f"HTTP {status}"


def send(kind: str, config: dict[str, Any], msg: Message) -> str:
    if kind == "email":
        return send_email(config, msg)
    if kind in ("webhook", "wecom", "dingtalk"):
        return send_webhook(kind, config, msg)
    if kind == "sms":
        return send_sms(config, msg)
    raise SendError(f"unknown channel kind {kind!r}")


def public_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config with secrets masked (for reading back)."""
    return {k: ("***" if k in SECRET_KEYS and v else v) for k, v in config.items()}
