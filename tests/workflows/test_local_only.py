"""The embedded cluster listens on loopback only (its scheduler has no authentication),
its printed dashboard link is where the dashboard really listens, and a spec cannot
point the workers at a Numba cache directory (Numba unpickles the index files there)."""

from __future__ import annotations

import urllib.parse

import psutil
import pytest

from fastspin.model import ParameterError
from fastspin.workflows import runner
from fastspin.workflows.spec import load_spec


def test_embedded_cluster_binds_loopback_and_the_link_matches():
    own = psutil.Process()
    before = {c.laddr for c in own.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    with runner.local_client(workers=1) as client:
        listening = {
            c.laddr for c in own.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr not in before
        }
        link = urllib.parse.urlsplit(client.dashboard_link)
        scheduler = urllib.parse.urlsplit(client.scheduler.address)
    assert listening, "the scheduler and dashboard listen in this process"
    assert {address.ip for address in listening} == {"127.0.0.1"}
    assert (link.hostname, link.port) in {(a.ip, a.port) for a in listening}
    assert (scheduler.hostname, scheduler.port) in {(a.ip, a.port) for a in listening}


def test_a_spec_cannot_choose_the_numba_cache_dir():
    spec = {"model": "toy_fermi", "axes": {"E": [0.0]}, "run": {"numba_cache_dir": "/tmp/x"}}
    with pytest.raises(ParameterError, match=r"run.numba_cache_dir: not allowed in a spec; use "
                       r"--numba-cache-dir or the environment variable FASTSPIN_NUMBA_CACHE_DIR"):
        load_spec(spec)
