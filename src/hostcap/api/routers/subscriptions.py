"""`/v1/subscriptions`: who is told about which changes, and how their deliveries went.

Every call needs the API key (a subscription's URL and filter are private to whoever made it);
the secret a subscription signs with is accepted when it is made and never returned.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from hostcap.alerts import Notifier, SubscriptionIn, SubscriptionPublic
from hostcap.alerts.notifier import deliveries_of
from hostcap.alerts.outbox import DeliveryPublic
from hostcap.api import openapi
from hostcap.api.deps import STATE_CHANGE, require_api_key

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"], dependencies=[Depends(require_api_key)])

KEY = {401: openapi.problem("`HOSTCAP_API_KEY` is set and the request does not carry it.")}
UNKNOWN = {404: openapi.problem("No subscription has this ID.")}


async def get_notifier(request: Request) -> Notifier:
    return request.app.state.hostcap.notifier


NotifierDep = Annotated[Notifier, Depends(get_notifier)]
SubscriptionId = Annotated[str, Path(description="Subscription ID.", examples=["sub_3f9a0c2d1b7e4a6f"])]


class SubscriptionsPublic(BaseModel):
    data: list[SubscriptionPublic] = Field(description="Every subscription, oldest first.")
    count: int = Field(description="How many.", examples=[1])


class DeliveriesPublic(BaseModel):
    data: list[DeliveryPublic] = Field(description="The latest deliveries, newest first.")
    count: int = Field(description="How many are in `data`.", examples=[1])


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionPublic,
    dependencies=STATE_CHANGE,
    responses={
        **openapi.STATE_CHANGE,
        **openapi.JSON_BODY,
        422: openapi.problem(
            "The body is invalid: a URL that is not http(s) or carries credentials, a destination that is a "
            "loopback, link-local or private address (unless the operator allows them), no trigger, no secret with a URL."
        ),
    },
    summary="Subscribe to changes",
)
def create(given: SubscriptionIn, notifier: NotifierDep) -> SubscriptionPublic:
    """Store a subscription in the lake: after each publish, the changes its `filter` and
    `triggers` select are POSTed to `url`, signed with `secret` (see the README for the headers
    and how to verify them). Without a `url` it is read as an Atom feed only. It is notified of
    publishes made after it. (A plain `def`: it writes to the lake.)"""
    return notifier.subscriptions.add(given).public()


@router.get("", response_model=SubscriptionsPublic, responses=KEY, summary="List subscriptions")
def list_all(notifier: NotifierDep) -> SubscriptionsPublic:
    """Every subscription (without secrets)."""
    data = [s.public() for s in notifier.subscriptions.all()]
    return SubscriptionsPublic(data=data, count=len(data))


@router.get("/{subscription_id}", response_model=SubscriptionPublic, responses={**KEY, **UNKNOWN}, summary="One subscription")
def get_one(subscription_id: SubscriptionId, notifier: NotifierDep) -> SubscriptionPublic:
    """One subscription (without its secret)."""
    return notifier.subscriptions.get(subscription_id).public()


@router.delete(
    "/{subscription_id}",
    status_code=204,
    dependencies=STATE_CHANGE,
    responses={**openapi.STATE_CHANGE, **UNKNOWN},
    summary="Unsubscribe",
)
def remove(subscription_id: SubscriptionId, notifier: NotifierDep) -> Response:
    """Delete a subscription and its delivery log; nothing more is sent to it."""
    notifier.subscriptions.remove(subscription_id)
    notifier.outbox.forget(subscription_id)
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveriesPublic,
    responses={**KEY, **UNKNOWN, **openapi.VALIDATION},
    summary="A subscription's delivery log",
)
def deliveries(
    subscription_id: SubscriptionId,
    notifier: NotifierDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many of the latest deliveries.", examples=[20])] = 20,
) -> DeliveriesPublic:
    """The latest deliveries, newest first: `pending` (being retried), `delivered` or `failed`
    (retried for `HOSTCAP_WEBHOOK_RETRY_FOR_S` without success, or the destination refused), each
    attempt with its HTTP status, error and the first 200 characters of the answer."""
    data = deliveries_of(notifier, subscription_id, limit)
    return DeliveriesPublic(data=data, count=len(data))
