"""The supervision :class:`~yingji.supervision.reminders.Notifier` on top of ``yingji.notifications``:
each reminder becomes a queued e-mail to the unit's first contact with an e-mail address (logged
as ``no_contact`` when the unit has none); ``deliver_pending`` sends it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.notifications import service
from yingji.notifications.models import NotificationDelivery
from yingji.registry.models import Contact, Unit


class QueueNotifier:
    """``send_reminders(..., notifier=QueueNotifier(session))`` — queued in the caller's transaction."""

    def __init__(self, session: Session, channel_kind: str = "email") -> None:
        self.session = session
        self.channel_kind = channel_kind
        self.queued: list[NotificationDelivery] = []

    def _address(self, unit_id: int | None) -> str | None:
        if unit_id is None:
            return None
        column = Contact.email if self.channel_kind == "email" else Contact.phone_mobile
        return self.session.scalar(select(column).where(Contact.unit_id == unit_id, column.is_not(None), column != "")
                                   .order_by(Contact.id).limit(1))

    def send(self, *, unit_id: int | None, unit_name: str, subject: str, body: str) -> None:
        unit = self.session.get(Unit, unit_id) if unit_id is not None else None
        d = service.queue_message(
            self.session, channel_kind=self.channel_kind, recipient=self._address(unit_id), subject=subject,
            body=body, reason="reminder", division_code=unit.division_code if unit else None, unit_id=unit_id,
            data={"unit_id": unit_id, "unit_name": unit_name})
        self.queued.append(d)
