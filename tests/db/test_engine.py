"""Engine setup: what every pooled connection is configured with."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sealtrail.runtime import Runtime


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_connections_plan_every_execution_and_never_jit_compile(runtime):
    with runtime.engine.connect() as conn:
        conn.rollback()  # the settings outlive a transaction's end
        assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        assert conn.execute(text("SHOW jit")).scalar_one() == "off"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_trail_worker_has_a_page_cache_of_its_own_on_sqlite(settings):
    # A batch of the worker dirties pages all over the indexes; they must fit its cache
    # without the API's connections each being allowed as much.
    runtime = Runtime.build(settings.model_copy(update={"sqlite_worker_cache_mb": 100}))
    try:
        with runtime.trail_factory() as session:
            assert session.execute(text("PRAGMA cache_size")).scalar_one() == -100 * 1024
        with runtime.factory() as session:
            assert session.execute(text("PRAGMA cache_size")).scalar_one() == -64 * 1024
        assert runtime.worker().factory is runtime.trail_factory
    finally:
        runtime.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_trail_worker_shares_the_pool_on_postgresql(runtime):
    assert runtime.trail_factory is runtime.factory
