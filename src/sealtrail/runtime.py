"""The running parts of a Sealtrail process, built once from settings and passed down."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property, partial
from typing import TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sealtrail.compliance.credentials import CredentialBox
from sealtrail.compliance.endpoints import parse_allowlist
from sealtrail.compliance.library import Library, evaluate, load_library
from sealtrail.compliance.scanner import ScanWorker
from sealtrail.config import Settings
from sealtrail.db import migrate
from sealtrail.db.base import utcnow
from sealtrail.db.engine import create_db_engine, make_session_factory
from sealtrail.db.partitions import Partitioner, partitioner_for
from sealtrail.db.reads import ReadSlots, read_only
from sealtrail.events.registry import Registry, registry_for
from sealtrail.events.stream import StreamSlots
from sealtrail.events.worker import TrailWorker
from sealtrail.identity.sessions import Policy, prune
from sealtrail.identity.tokens import load_secret
from sealtrail.ledger import checkpoints
from sealtrail.ledger.keys import KeyRing, load_keyring
from sealtrail.queue import Queue, QueueSettings, open_queue
from sealtrail.ratelimit import MemoryRateLimiter, RateLimiter

T = TypeVar("T")
# Threads ingest requests run on, apart from the pool every other synchronous route and
# dependency shares: reads cannot take them.
INGEST_THREADS = 16


@dataclass
class Runtime:
    """Settings, database, queue: what every command and request works with."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    queue: Queue
    partitioner: Partitioner
    _keyring: KeyRing | None = field(default=None, repr=False)
    rate_limiter: RateLimiter = field(default_factory=MemoryRateLimiter)
    scan_wakeup: threading.Event = field(default_factory=threading.Event)
    _engines: list[Engine] = field(default_factory=list, repr=False)

    @cached_property
    def registry(self) -> Registry:
        """Where ingest records accepted event ids (read once the schema is migrated)."""
        return registry_for(self.factory, self.queue)

    @cached_property
    def trail_factory(self) -> sessionmaker[Session]:
        """Sessions of the trail worker. On SQLite they have connections of their own,
        whose page cache holds the pages a large batch dirties all over the indexes
        (`SEALTRAIL_SQLITE_WORKER_CACHE_MB`): in the 64 MiB the API's connections have,
        a batch wrote pages out to the WAL before its commit, some of them several times."""
        if self.engine.dialect.name != "sqlite":
            return self.factory
        engine = create_db_engine(
            self.settings.resolved_database_url,
            sqlite_synchronous=self.settings.sqlite_synchronous,
            sqlite_cache_mib=self.settings.sqlite_worker_cache_mb,
            pool_size=1,
        )
        self._engines.append(engine)
        return make_session_factory(engine)

    @cached_property
    def read_factory(self) -> sessionmaker[Session]:
        """Sessions of the API's reads: a connection pool of their own (the connections
        ingest and the worker need stay free), no writes, and each statement bounded by
        `SEALTRAIL_READ_TIMEOUT_SECONDS` (over it: `QueryTimeout`)."""
        s = self.settings
        engine = create_db_engine(
            s.resolved_database_url,
            sqlite_synchronous=s.sqlite_synchronous,
            pool_size=s.read_max_concurrent,
        )
        self._engines.append(engine)
        return make_session_factory(read_only(engine, s.read_timeout_seconds))

    @cached_property
    def read_slots(self) -> ReadSlots:
        """How many reads run at once (`SEALTRAIL_READ_MAX_CONCURRENT`)."""
        return ReadSlots(self.settings.read_max_concurrent, self.settings.read_wait_seconds)

    @cached_property
    def _ingest_threads(self) -> anyio.CapacityLimiter:
        return anyio.CapacityLimiter(INGEST_THREADS)

    async def in_ingest_thread(self, work: Callable[..., T], *args: object) -> T:
        """Run `work(*args)` on the ingest path's own threads."""
        return await anyio.to_thread.run_sync(partial(work, *args), limiter=self._ingest_threads)

    @cached_property
    def stream_slots(self) -> StreamSlots:
        """Open live tails per caller, capped (`SEALTRAIL_STREAM_MAX_PER_CALLER`)."""
        return StreamSlots(self.settings.stream_max_per_caller)

    @cached_property
    def credential_box(self) -> CredentialBox:
        """Encrypts cloud credentials with the key of the data directory."""
        return CredentialBox.in_data_dir(self.settings.data_dir)

    def library(self) -> Library:
        """The control library and frameworks (loaded once, validated)."""
        return load_library()

    def wake_scans(self) -> None:
        """Tell a scan worker in this process that a scan was queued."""
        self.scan_wakeup.set()

    def scan_worker(self) -> ScanWorker:
        """A scan worker writing its trail events through the queue."""
        from sealtrail.compliance.inventory.aws.collect import collect
        from sealtrail.selfaudit.sink import QueueSink

        return ScanWorker(
            self.factory,
            self.credential_box,
            self.library,
            collect=collect,
            evaluate=evaluate,
            record=QueueSink(lambda: self.registry),
            wakeup=self.scan_wakeup,
            endpoint_allowlist=self.settings.endpoint_allowlist,
        )

    @cached_property
    def jwt_secret(self) -> bytes:
        """The HS256 secret of access tokens (settings, else generated in the data dir)."""
        configured = self.settings.jwt_secret
        return load_secret(
            configured.get_secret_value() if configured else None, self.settings.data_dir
        )

    @property
    def session_policy(self) -> Policy:
        """Token lifetimes and lockout, from settings."""
        s = self.settings
        return Policy(
            secret=self.jwt_secret,
            access_lifetime=timedelta(minutes=s.access_token_minutes),
            refresh_lifetime=timedelta(days=s.refresh_token_days),
            max_failures=s.login_max_failures,
            lockout=timedelta(seconds=s.login_lockout_seconds),
        )

    @property
    def keyring(self) -> KeyRing:
        """The checkpoint signing keys (created in the data directory on first use)."""
        if self._keyring is None:
            self._keyring = load_keyring(self.settings.data_dir, self.settings.ledger_origin)
        return self._keyring

    def issue_checkpoints(self) -> int:
        """Sign checkpoints for every tenant whose ledger grew; return how many."""
        return checkpoints.issue_due(self.engine, self.keyring)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """Connect to the configured database and queue (creating local files as needed)."""
        settings.ensure_data_dir()
        # A malformed allowlist is refused at start, not at the first account saved.
        parse_allowlist(settings.endpoint_allowlist)
        engine = create_db_engine(
            settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
        )
        queue = open_queue(
            settings.resolved_broker_url,
            QueueSettings(
                visibility_timeout=settings.queue_visibility_timeout,
                max_deliveries=settings.queue_max_deliveries,
            ),
            sqlite_synchronous=settings.sqlite_synchronous,
        )
        return cls(
            settings=settings,
            engine=engine,
            factory=make_session_factory(engine),
            queue=queue,
            partitioner=partitioner_for(engine),
        )

    def migrate(self) -> None:
        """Bring the schema up to date and create the partitions ahead."""
        migrate.upgrade(self.engine)
        self.partitioner.ensure_ahead(utcnow(), self.settings.postgres_partitions_ahead)

    def worker(self) -> TrailWorker:
        """A trail worker configured from settings."""
        s = self.settings
        return TrailWorker(
            self.trail_factory,
            self.queue,
            self.partitioner,
            batch_size=s.worker_batch_size,
            max_batch_size=s.worker_max_batch_size,
            poll_interval=s.worker_poll_interval,
            retry_delay=s.worker_retry_delay,
            partitions_ahead=s.postgres_partitions_ahead,
            checkpoint=self.issue_checkpoints,
            checkpoint_interval=s.checkpoint_interval,
            housekeeping=self.prune_identity,
        )

    def prune_identity(self) -> int:
        """Forget login failures past the lockout window and long-expired sessions."""
        with self.factory() as session, session.begin():
            return prune(session, now=utcnow(), lockout=self.session_policy.lockout)

    def close(self) -> None:
        """Release the queue and database connections."""
        self.queue.close()
        for engine in self._engines:
            engine.dispose()
        self.engine.dispose()


def settle_heap() -> None:
    """Tune the cycle collector for a long-running server process.

    Ingest allocates a few hundred thousand short-lived objects per second, nearly all
    freed by reference counting; the default thresholds ran a collection every 700 of
    them, and each older-generation pass walked everything start-up had loaded
    (frameworks, models, compiled statements). Start-up objects are frozen out of the
    collector's view and young collections run less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
