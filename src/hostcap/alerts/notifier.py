"""Notifications after a publish: evaluate every subscription against the change, put what is to
be sent in the durable outbox, and deliver it in the background with retries.

`published(snapshot)` returns at once: evaluation and delivery run on the notifier's own threads,
so a publish is never held up or failed by a subscription or a receiver. A failed attempt is
retried with exponential backoff (capped, with jitter) until `webhook_retry_for_s` after the
publish was evaluated; then the delivery is marked failed. `resume()` picks up whatever a
process before this one left in the outbox (and a publish it never got to evaluate).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hostcap.alerts import webhook
from hostcap.alerts.events import ChangeSet, Gold, events_for
from hostcap.alerts.model import Subscription
from hostcap.alerts.outbox import AttemptPublic, Batch, DeliveryPublic, Notification, Outbox, now
from hostcap.alerts.settings import AlertSettings
from hostcap.alerts.subscriptions import NoSuchSubscription, SubscriptionStore
from hostcap.errors import HostcapError, describe
from hostcap.lake import Lake

log = logging.getLogger(__name__)

#: events sent in one notification at most (`truncated` says when there were more)
MAX_EVENTS = 1000
#: pairs of snapshots whose changes are kept in memory
KEEP_PAIRS = 12


class Notifier:
    def __init__(self, lake: Lake, settings: AlertSettings | None = None, jitter: Callable[[], float] = random.random):
        self.lake = lake
        self.settings = settings or AlertSettings()
        self.subscriptions = SubscriptionStore(lake.storage, self.settings.webhook_allow_private)
        self.outbox = Outbox(lake.storage, self.settings.webhook_keep_deliveries)
        self._jitter = jitter
        self._cond = threading.Condition()
        #: (when, order, publish, notification, how it stands: None until this process attempted it)
        self._due: list[tuple[float, int, Batch, Notification, DeliveryPublic | None]] = []
        self._order = itertools.count()
        self._known: set[str] = set()  # idempotency keys waiting or being attempted here
        self._open: dict[str, set[str]] = {}  # per publish, its keys not yet final
        self._active = 0  # evaluations and attempts running
        self._evaluating = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self._changes: dict[tuple[str, str], ChangeSet] = {}
        #: the subscription of each notification just evaluated, for its first attempt
        self._evaluated: dict[str, Subscription] = {}

    # what callers use ----------------------------------------------------------------------------

    def published(self, snapshot: str) -> None:
        """Notify about a publish, in the background; never raises."""
        self._background(lambda: self._evaluate(snapshot))

    def resume(self, rescan_s: float | None = None) -> None:
        """Deliver what the outbox holds (and evaluate the latest publish if no process did);
        with `rescan_s`, look again that often (for what other processes leave there)."""
        self._background(self._rescan)
        if rescan_s:
            stop = self._stop

            def again() -> None:
                while not stop.wait(rescan_s):
                    self._background(self._rescan)

            threading.Thread(target=again, name="webhook-rescan", daemon=True).start()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every notification so far had its first attempt and nothing is running
        (retries may be waiting); False on timeout."""
        return self._wait(lambda: self._active == 0 and not (self._due and self._due[0][0] <= time.time()), timeout_s)

    def drain(self, timeout_s: float) -> bool:
        """Wait until every notification is delivered or failed; False on timeout."""
        return self._wait(lambda: self._active == 0 and not self._due, timeout_s)

    def stop(self) -> None:
        """Stop delivering (what is not delivered stays in the outbox for `resume`)."""
        with self._cond:
            self._stop.set()
            self._stop = threading.Event()
            pool, self._pool = self._pool, None
            self._due.clear()
            self._known.clear()
            self._open.clear()
            self._evaluated.clear()
            self._cond.notify_all()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def batch_for(self, snapshot: str, subscriptions: list[Subscription] | None = None) -> Batch:
        """The notifications a publish makes (nothing is written or sent): one per subscription
        made before it whose filter and triggers select at least one change."""
        history = self.lake.history()
        at = next((i for i, item in enumerate(history) if item["snapshot"] == snapshot), None)
        published_at = history[at]["published_at"] if at is not None else None
        previous = history[at - 1]["snapshot"] if at else None
        stamp = time.time()
        batch = Batch(snapshot=snapshot, previous=previous, created_at=now(), created_s=stamp, notifications=[])
        subscriptions = [
            s
            for s in (self.subscriptions.all() if subscriptions is None else subscriptions)
            if s.url is not None and (published_at is None or s.created_at <= published_at)
        ]
        if previous is None or not subscriptions:
            return batch
        changes = self.changes(previous, snapshot)
        for subscription in subscriptions:
            events = events_for(subscription, changes)
            if events:
                key = f"{subscription.id}:{snapshot}"
                body = {
                    "id": key,
                    "type": "hostcap.changes",
                    "subscription_id": subscription.id,
                    "snapshot": snapshot,
                    "previous": previous,
                    "published_at": published_at,
                    "event_count": len(events),
                    "truncated": len(events) > MAX_EVENTS,
                    "events": events[:MAX_EVENTS],
                }
                batch.notifications.append(Notification(id=key, subscription_id=subscription.id, body=json.dumps(body)))
        return batch

    def changes(self, old: str, new: str) -> ChangeSet:
        """The changes between two published snapshots, kept for the last few pairs asked for
        (published snapshots never change; the feeds ask for the same pairs again and again)."""
        with self._cond:
            found = self._changes.get((old, new))
        if found is None:
            found = ChangeSet.between(Gold.read(self.lake, old), Gold.read(self.lake, new), old, new)
            with self._cond:
                self._changes[(old, new)] = found
                while len(self._changes) > KEEP_PAIRS:
                    self._changes.pop(next(iter(self._changes)))
        return found

    def events(self, subscription: Subscription, old: str, new: str) -> list[dict]:
        """What a subscription's filter and triggers select between two published snapshots."""
        return events_for(subscription, self.changes(old, new))

    # evaluation ------------------------------------------------------------------------------------

    def _background(self, work: Callable[[], None]) -> None:
        with self._cond:
            self._active += 1

        def run() -> None:
            try:
                work()
            except Exception as exc:  # a notification problem never reaches the publish
                log.error("notifications failed: %s", describe(exc), exc_info=not isinstance(exc, HostcapError))
            finally:
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()

        threading.Thread(target=run, name="webhook-evaluate", daemon=True).start()

    def _evaluate(self, snapshot: str) -> None:
        with self._evaluating:
            if self.outbox.evaluated() == snapshot or not (subscriptions := self.subscriptions.all()):
                return
            batch = self.batch_for(snapshot, subscriptions)
            self.outbox.add(batch)
            by_id = {s.id: s for s in subscriptions}
            with self._cond:  # the first attempts use the subscriptions just read
                self._evaluated.update((n.id, by_id[n.subscription_id]) for n in batch.notifications)
            log.info("notifications: snapshot=%s notifications=%d", snapshot, len(batch.notifications))
            self._schedule(batch, batch.notifications)

    def _rescan(self) -> None:
        current = self.lake.current()
        if current is not None:
            self._evaluate(current)
        for batch in self.outbox.batches():
            waiting = []
            for notification in batch.notifications:
                state = self.outbox.state(notification.subscription_id, batch.snapshot)
                if state is None or state.status == "pending":
                    waiting.append(notification)
            self._schedule(batch, waiting)
            if not waiting:
                self.outbox.close(batch.snapshot)

    # delivery --------------------------------------------------------------------------------------

    def _schedule(self, batch: Batch, notifications: list[Notification], at: float = 0.0) -> None:
        with self._cond:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.settings.webhook_workers, thread_name_prefix="webhook")
                threading.Thread(
                    target=self._dispatch, args=(self._pool, self._stop), name="webhook-dispatch", daemon=True
                ).start()
            for notification in notifications:
                self._push(batch, notification, at)
            self._cond.notify_all()

    def _push(self, batch: Batch, notification: Notification, at: float, state: DeliveryPublic | None = None) -> None:
        """Queue a notification unless it is queued or being attempted already (hold `_cond`)."""
        if notification.id not in self._known:
            self._known.add(notification.id)
            self._open.setdefault(batch.snapshot, set()).add(notification.id)
            heapq.heappush(self._due, (at, next(self._order), batch, notification, state))

    def _dispatch(self, pool: ThreadPoolExecutor, stop: threading.Event) -> None:
        """Hand each notification to the pool when it is due, until `stop`."""
        while True:
            with self._cond:
                while not stop.is_set() and not (self._due and self._due[0][0] <= time.time()):
                    self._cond.wait(self._due[0][0] - time.time() if self._due else None)
                if stop.is_set():
                    return
                _, _, batch, notification, state = heapq.heappop(self._due)
                self._active += 1
            try:
                pool.submit(self._attempt, batch, notification, state)
            except RuntimeError:  # stopped meanwhile: the outbox keeps it
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()
                return

    def _attempt(self, batch: Batch, notification: Notification, state: DeliveryPublic | None) -> None:
        retry_at = None
        try:
            retry_at, state = self._send(batch, notification, state)
        except Exception as exc:  # the lake out of reach: try again later (reading how it stands there)
            log.error("delivery %s not recorded: %s", notification.id, describe(exc))
            retry_at, state = time.time() + self.settings.webhook_backoff_max_s, None
        finally:
            with self._cond:
                self._known.discard(notification.id)
                if retry_at is not None:
                    self._push(batch, notification, retry_at, state)
                self._active -= 1
                self._cond.notify_all()

    def _send(
        self, batch: Batch, notification: Notification, state: DeliveryPublic | None
    ) -> tuple[float | None, DeliveryPublic]:
        """One attempt, recorded; when to retry (None: it is final) and how it stands. `state` is
        None for a notification this process has not attempted: then the lake says how it stands."""
        if state is None:
            state = self.outbox.state(notification.subscription_id, batch.snapshot)
        if state is None:
            count = json.loads(notification.body)["event_count"]
            state = Outbox.started(batch, notification, count)
        subscription = self._evaluated.pop(notification.id, None)
        if subscription is None:  # a retry, or one left by another process: is it still subscribed?
            try:
                subscription = self.subscriptions.get(notification.subscription_id)
            except NoSuchSubscription:
                subscription = None
        if state.status != "pending" or subscription is None or subscription.url is None or subscription.secret is None:
            self._final(batch, notification)
            return None, state
        body = notification.body.encode()
        headers = webhook.signed_headers(subscription.secret.get_secret_value(), body, notification.id)
        s = self.settings
        attempt = webhook.post(subscription.url, body, headers, s.webhook_timeout_s, s.webhook_allow_private)
        state.attempts.append(AttemptPublic(**attempt.as_dict()))
        deadline = batch.created_s + s.webhook_retry_for_s
        retry_at = None
        if attempt.ok:
            state.status = "delivered"
        elif attempt.final or time.time() >= deadline:
            state.status = "failed"
        else:
            cap = min(s.webhook_backoff_max_s, s.webhook_backoff_s * 2 ** (len(state.attempts) - 1))
            retry_at = min(time.time() + cap * (0.5 + self._jitter() / 2), deadline)
        if retry_at is None:
            state.finished_at = now()
        self.outbox.record(state)
        log.info("delivery %s: attempt %d %s", notification.id, len(state.attempts), attempt.error or "delivered")
        if retry_at is None:
            self._final(batch, notification)
        return retry_at, state

    def _final(self, batch: Batch, notification: Notification) -> None:
        with self._cond:
            left = self._open.get(batch.snapshot, set())
            left.discard(notification.id)
            done = not left
            if done:
                self._open.pop(batch.snapshot, None)
        if done:
            self.outbox.close(batch.snapshot)

    # waiting ---------------------------------------------------------------------------------------

    def _wait(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True


def deliveries_of(notifier: Notifier, subscription_id: str, limit: int) -> list[DeliveryPublic]:
    """A subscription's delivery log, newest first (NoSuchSubscription for an unknown one)."""
    notifier.subscriptions.get(subscription_id)
    return notifier.outbox.log(subscription_id, limit)
