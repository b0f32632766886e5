"""Spreading many regions over worker processes (each a fresh interpreter with one BLAS thread)."""
from __future__ import annotations

import numpy as np

from forecasting.assumptions import Assumptions
from forecasting.inputs import Inputs

PARALLEL_MIN_REGIONS = 200


def workers_for(workers: int | None, n_codes: int) -> int:
    import os
    import threading

    if workers is not None:
        return max(1, int(workers))
    if n_codes < PARALLEL_MIN_REGIONS or threading.active_count() > 1:
        return 1  # small batches do not pay the workers' start-up; a dashboard session keeps its one process
    return min(2, os.cpu_count() or 1)


def project_codes(inp: Inputs, codes, to_year, methods, scenarios) -> list[dict]:
    """Every code × method × scenario in this process, as the parts of the tidy table (forecasting.results.table
    joins them once)."""
    from forecasting.method_model import cached_model_paths
    from forecasting.projector import project_parts  # the projector imports this module

    # every method starts from the model paths: all regions' in one batch (children of a driver together)
    known = inp.index()["codes"]
    cached_model_paths(inp, [c for c in codes if c in known], to_year)
    return [p for code in codes for m in methods for s in scenarios
            for p in project_parts(Assumptions(code, method=m, scenario=s, to_year=to_year), inp)[0]]


def project_chunk(args) -> tuple[list[dict], dict]:
    """A worker's chunk: its parts of the tidy table and the fits it made (key → JSON, for the caller to save).
    Parts, not a frame: a part holds each long text (method_detail, inputs) once instead of on every year's row,
    so the pickle the caller reads is ~20× smaller."""
    inp, codes, to_year, methods, scenarios = args
    return project_codes(inp, codes, to_year, methods, scenarios), inp.memo.pop("fit_new", {})


# Worker processes get one BLAS/OpenMP thread each: with the default (a thread per core) two forked workers on two
# cores spent twice the CPU time and the parallel run was slower than the serial one (measured, bench/README.md).
# The libraries read these variables when they load, so each worker is a fresh interpreter started with them set
# (a subprocess reading its chunk from stdin: nothing of the caller's __main__ is re-run, no fork of a threaded
# process).
WORKER_SHARE = 0.7  # a worker's share of regions relative to the caller's (it first spends ~2 s importing)
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def worker_main() -> None:
    """Entry of a worker: a pickled chunk on stdin, the pickled (frame, new fits) on stdout."""
    import pickle
    import sys

    args = pickle.load(sys.stdin.buffer)
    pickle.dump(project_chunk(args), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def project_parallel(inp: Inputs, codes, n, to_year, methods, scenarios) -> list[dict]:
    """Contiguous chunks of codes (children of one province stay together, so its fits are done once per process):
    the first is projected here while n − 1 worker processes take the others; results in order. A worker costs
    ~2 s of start-up (imports), which the caller spends on its own chunk; a failed worker's chunk is projected here
    instead."""
    import os
    import pickle
    import subprocess
    import sys
    import threading
    from pathlib import Path

    # the caller has its imports done: the workers get a little less, so that both sides finish together
    weights = np.array([1.0] + [WORKER_SHARE] * (n - 1))
    bounds = np.concatenate([[0], np.round(np.cumsum(weights) / weights.sum() * len(codes))]).astype(int)
    # no memo but the saved fits: each worker fits only what its regions need and the database does not have
    bare = Inputs(inp.facts, inp.series, inp.regions, as_of=inp.as_of)
    bare.memo["fit_store"] = inp.memo.get("fit_store", {})
    chunks = [(bare, codes[a:b], to_year, methods, scenarios) for a, b in zip(bounds, bounds[1:])]
    env = dict(os.environ, **WORKER_ENV)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", "from forecasting.parallel import worker_main; worker_main()"]

    def send(p, chunk):  # a worker reads its chunk only after its imports: the caller must not wait for that
        try:
            p.stdin.write(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
            p.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the worker died: its chunk is projected here below

    procs, senders = [], []
    for chunk in chunks[1:]:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env, cwd=root)
        t = threading.Thread(target=send, args=(p, chunk), daemon=True)
        t.start()
        procs.append(p)
        senders.append(t)
    # The caller's BLAS may run a thread per core; beside a worker on a 2-core machine that doubled the time of its
    # chunk (7.9 s instead of 4.5 s, measured). One thread while the workers run; scipy's BLAS is loaded first, as
    # threadpoolctl limits only the libraries already loaded.
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        parts = project_codes(inp, chunks[0][1], to_year, methods, scenarios)
    for p, t, chunk in zip(procs, senders, chunks[1:]):
        data = p.stdout.read()
        p.stdout.close()
        t.join()
        got, fits = pickle.loads(data) if p.wait() == 0 and data else project_chunk((inp, *chunk[1:]))
        parts += got
        inp.memo.setdefault("fit_new", {}).update(fits)  # saved by the Projector with its own
    return parts
