"""Notification API under /api/v1/notifications/ (thin: parse, authorise, call the service)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from yingji.common.schemas import Page
from yingji.deps import CurrentUser, SessionDep
from yingji.notifications import service
from yingji.notifications.schemas import (
    ChannelCreate,
    ChannelRead,
    ChannelUpdate,
    DeliveryRead,
    RoleName,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
PageQ = Annotated[int, Query(ge=1, le=100_000)]
SizeQ = Annotated[int, Query(ge=1, le=500)]


@router.get("/channels", response_model=list[ChannelRead], summary="Channels (secrets masked)")
def list_channels(session: SessionDep, user: CurrentUser) -> Any:
    return [service.channel_dict(c) for c in service.list_channels(session=session, user=user)]


@router.post("/channels", response_model=ChannelRead, status_code=201, summary="Add a channel (admin)")
def create_channel(session: SessionDep, user: CurrentUser, data: ChannelCreate) -> Any:
    return service.channel_dict(service.create_channel(session=session, user=user, data=data))


@router.get("/channels/{channel_id}", response_model=ChannelRead)
def get_channel(session: SessionDep, user: CurrentUser, channel_id: int) -> Any:
    return service.channel_dict(service.get_channel(session=session, user=user, channel_id=channel_id))


@router.patch("/channels/{channel_id}", response_model=ChannelRead)
def update_channel(session: SessionDep, user: CurrentUser, channel_id: int, data: ChannelUpdate) -> Any:
    return service.channel_dict(service.update_channel(session=session, user=user, channel_id=channel_id, data=data))


@router.delete("/channels/{channel_id}", status_code=204)
def delete_channel(session: SessionDep, user: CurrentUser, channel_id: int) -> Response:
    service.delete_channel(session=session, user=user, channel_id=channel_id)
    return Response(status_code=204)


@router.get("/subscriptions", response_model=Page[SubscriptionRead],
            summary="Subscriptions in your scope; division/level: those a warning there would reach")
def list_subscriptions(
    session: SessionDep, user: CurrentUser,
    division: Annotated[str | None, Query(pattern=r"^\d{6}(\d{3})?(\d{3})?$")] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    role: RoleName | None = None,
    cause: Annotated[str | None, Query(max_length=120)] = None,
    channel_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    page: PageQ = 1, size: SizeQ = 50,
) -> Any:
    items, total = service.list_subscriptions(session=session, user=user, division=division, level=level, role=role,
                                              cause=cause, channel_id=channel_id, page=page, size=size)
    return {"items": items, "total": total, "page": page, "size": size}


@router.post("/subscriptions", response_model=SubscriptionRead, status_code=201)
def create_subscription(session: SessionDep, user: CurrentUser, data: SubscriptionCreate) -> Any:
    return service.create_subscription(session=session, user=user, data=data)


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def get_subscription(session: SessionDep, user: CurrentUser, subscription_id: int) -> Any:
    return service.get_subscription(session=session, user=user, subscription_id=subscription_id)


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionRead)
def update_subscription(session: SessionDep, user: CurrentUser, subscription_id: int,
                        data: SubscriptionUpdate) -> Any:
    return service.update_subscription(session=session, user=user, subscription_id=subscription_id, data=data)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(session: SessionDep, user: CurrentUser, subscription_id: int) -> Response:
    service.delete_subscription(session=session, user=user, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/deliveries", response_model=Page[DeliveryRead],
            summary="Delivery log (?warning_id= : everything sent or tried for one warning)")
def list_deliveries(
    session: SessionDep, user: CurrentUser,
    warning_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Literal["pending", "sent", "failed", "no_contact"] | None = None,
    page: PageQ = 1, size: SizeQ = 50,
) -> Any:
    items, total = service.list_deliveries(session=session, user=user, warning_id=warning_id, status=status,
                                           page=page, size=size)
    return {"items": items, "total": total, "page": page, "size": size}
