"""Spreading many regions over processes: the caller and forked children, one BLAS thread each."""
from __future__ import annotations

import numpy as np

from forecasting.assumptions import Assumptions
from forecasting.inputs import Inputs
from forecasting.region_rows import project_parts

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

    # every method starts from the model paths: all regions' in one batch (children of a driver together)
    known = inp.index()["codes"]
    cached_model_paths(inp, [c for c in codes if c in known], to_year)
    return [p for code in codes for m in methods for s in scenarios
            for p in project_parts(Assumptions(code, method=m, scenario=s, to_year=to_year), inp)[0]]


# The caller projects the first chunk itself while forked children take the others: a child starts with
# everything the caller has imported and loaded (statsmodels is imported before the fork, so each process does
# not spend ~2 s importing it again) and sends its rows back as one block (results.join_parts). BLAS runs one thread
# in every process meanwhile: with a thread per core two processes on two cores spent twice the CPU time and the
# parallel run was slower than the serial one (measured, bench/README.md). Forking is done only where the caller
# is single-threaded (workers_for), never in a server process.
WORKER_SHARE = 0.9  # a child's share of the regions relative to the caller's (the caller also joins the table)


def project_parallel(inp: Inputs, codes, n, to_year, methods, scenarios) -> list[dict]:
    """Contiguous chunks of codes (children of one province stay together, so its fits are done once per process);
    the first in this process, the others in n − 1 forked children; the parts in order, children's as blocks. A
    child that fails is replaced by projecting its chunk here. Without os.fork (Windows) everything runs here."""
    import os
    import pickle

    import scipy.linalg  # noqa: F401  loaded before the limit below, which applies to loaded libraries only
    from threadpoolctl import threadpool_limits

    from forecasting.projection_models import import_statsmodels
    from forecasting.results import join_parts

    if not hasattr(os, "fork"):
        return project_codes(inp, codes, to_year, methods, scenarios)
    import_statsmodels()
    weights = np.array([1.0] + [WORKER_SHARE] * (n - 1))
    bounds = np.concatenate([[0], np.round(np.cumsum(weights) / weights.sum() * len(codes))]).astype(int)
    chunks = [codes[a:b] for a, b in zip(bounds, bounds[1:])]
    children = []
    with threadpool_limits(limits=1, user_api="blas"):
        for chunk in chunks[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: project, send (block, new fits), leave without running the caller's exit code
                status = 1
                try:
                    os.close(read)
                    inp.memo.pop("fit_new", None)
                    block = join_parts(project_codes(inp, chunk, to_year, methods, scenarios))
                    with os.fdopen(write, "wb") as f:
                        pickle.dump((block, inp.memo.pop("fit_new", {})), f, protocol=pickle.HIGHEST_PROTOCOL)
                    status = 0
                finally:
                    os._exit(status)
            os.close(write)
            children.append((pid, read, chunk))
        parts = project_codes(inp, chunks[0], to_year, methods, scenarios)
        for pid, read, chunk in children:
            with os.fdopen(read, "rb") as f:
                data = f.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                block, fits = pickle.loads(data)
                parts.append(block)
                inp.memo.setdefault("fit_new", {}).update(fits)  # saved by the Projector with its own
            else:
                parts += project_codes(inp, chunk, to_year, methods, scenarios)
    return parts
