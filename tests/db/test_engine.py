"""Engine setup: what every pooled connection is configured with."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_connections_plan_every_execution_and_never_jit_compile(runtime):
    with runtime.engine.connect() as conn:
        conn.rollback()  # the settings outlive a transaction's end
        assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        assert conn.execute(text("SHOW jit")).scalar_one() == "off"
