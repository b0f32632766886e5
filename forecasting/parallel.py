"""Spreading many regions over worker processes (each a fresh interpreter with one BLAS thread)."""
from __future__ import annotations

import numpy as np
import pandas as pd

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


def project_codes(inp: Inputs, codes, to_year, methods, scenarios) -> list[pd.DataFrame]:
    """Every code × method × scenario in this process, as one tidy frame in a list (rows joined once)."""
    from forecasting.projector import project_parts  # the projector imports this module
    from forecasting.results import table

    parts = [p for code in codes for m in methods for s in scenarios
             for p in project_parts(Assumptions(code, method=m, scenario=s, to_year=to_year), inp)[0]]
    return [table(parts)]


def project_chunk(args) -> tuple[pd.DataFrame, dict]:
    """A worker's chunk: its tidy frame and the fits it made (key → JSON, for the caller to save)."""
    inp, codes, to_year, methods, scenarios = args
    frame = pd.concat(project_codes(inp, codes, to_year, methods, scenarios), ignore_index=True)
    return frame, inp.memo.pop("fit_new", {})


# Worker processes get one BLAS/OpenMP thread each: with the default (a thread per core) two forked workers on two
# cores spent twice the CPU time and the parallel run was slower than the serial one (measured, bench/README.md).
# The libraries read these variables when they load, so each worker is a fresh interpreter started with them set
# (a subprocess reading its chunk from stdin: nothing of the caller's __main__ is re-run, no fork of a threaded
# process).
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def worker_main() -> None:
    """Entry of a worker: a pickled chunk on stdin, the pickled (frame, new fits) on stdout."""
    import pickle
    import sys

    args = pickle.load(sys.stdin.buffer)
    pickle.dump(project_chunk(args), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def project_parallel(inp: Inputs, codes, n, to_year, methods, scenarios) -> list[pd.DataFrame]:
    """Contiguous chunks of codes (children of one province stay together, so its fits are done once per worker)
    on `n` worker processes; results in order. Costs ~2 s of worker start-up (imports); a failed worker's chunk
    is projected here instead."""
    import os
    import pickle
    import subprocess
    import sys
    from pathlib import Path

    bounds = np.linspace(0, len(codes), n + 1).astype(int)
    # no memo but the saved fits: each worker fits only what its regions need and the database does not have
    bare = Inputs(inp.facts, inp.series, inp.regions, as_of=inp.as_of)
    bare.memo["fit_store"] = inp.memo.get("fit_store", {})
    chunks = [(bare, codes[a:b], to_year, methods, scenarios) for a, b in zip(bounds, bounds[1:]) if b > a]
    env = dict(os.environ, **WORKER_ENV)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", "from forecasting.parallel import worker_main; worker_main()"]
    procs = []
    for chunk in chunks:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env=env, cwd=root)
        p.stdin.write(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        p.stdin.close()
        procs.append(p)
    frames = []
    for p, chunk in zip(procs, chunks):
        data = p.stdout.read()
        p.stdout.close()
        frame, fits = pickle.loads(data) if p.wait() == 0 and data else project_chunk((inp, *chunk[1:]))
        frames.append(frame)
        inp.memo.setdefault("fit_new", {}).update(fits)  # saved by the Projector with its own
    return frames
