"""Worker processes for batch runs: results per chunk, a time budget per job, a dead worker replaced.

    pool = Pool(2, init, (rules,), work, budget=120.0)
    ticket = pool.submit(jobs, weight)    # a chunk of jobs for one worker
    results = pool.result(ticket)         # in job order; `Lost(reason)` for a job lost with its worker
    pool.close()                          # or pool.kill() on an error or a signal

Why not concurrent.futures.ProcessPoolExecutor: one dead worker breaks it and
fails every pending task (BrokenProcessPool); it cannot stop a task that runs too
long; its workers outlive a parent killed with SIGKILL, holding its stdout and
stderr open.

Here each worker has its own two pipes (jobs in, results out), so the parent knows
which chunks each worker holds and one dead worker disturbs no other.  A worker
shows the job it is on in a shared counter (2k+1 while on its k-th job, 2k+2 once
done).  When a worker dies, or stays on one job past the budget (the parent then
kills it), the parent names that one job `Lost`, sends the rest of the worker's
chunks to a new worker, and goes on; jobs the dead worker had finished but not yet
sent are done again (extraction is deterministic).  A worker reads its jobs in a
thread of its own, so the parent's sends never wait on a busy worker.  Workers die
with the parent: PR_SET_PDEATHSIG on Linux and, everywhere, that reading thread
exits the process when the job pipe reaches end of file.  Workers ignore SIGINT and
SIGHUP (a terminal sends them to the whole group): the parent decides.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing is imported when a pool starts: a one-process run never pays for it
    import queue
    from multiprocessing.connection import Connection

LOOK_EVERY = 1.0  # seconds between looks at the workers' counters, at most (with a budget)
FRUITLESS_DEATHS = 3  # workers in a row dying with no job in hand: something is wrong with all of them


class Lost:
    """A job whose worker died, or was stopped past the budget, while on it."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Lost({self.reason!r})"


def timed_out(seconds: float) -> str:
    return f"timed out after {seconds:g} s"


class PoolError(Exception):
    """Workers cannot be kept alive (they die before doing any job)."""


class Ticket:
    """A submitted chunk: its jobs and, as they come, their results."""

    __slots__ = ("jobs", "results", "missing")

    def __init__(self, jobs: list[Any]) -> None:
        self.jobs = jobs
        self.results: list[Any] = [None] * len(jobs)
        self.missing = len(jobs)


class _Send:
    """A chunk (or what is left of one) sent to one worker."""

    __slots__ = ("seq", "ticket", "idx", "weight")

    def __init__(self, seq: int, ticket: Ticket, idx: list[int], weight: int) -> None:
        self.seq = seq
        self.ticket = ticket
        self.idx = idx  # which of the ticket's jobs, in order
        self.weight = weight


class _Worker:
    __slots__ = ("proc", "jobs", "results", "state", "sent", "base", "weight", "seen", "seen_at")

    def __init__(self, proc: Any, jobs: Connection, results: Connection, state: Any) -> None:
        self.proc = proc
        self.jobs = jobs  # the parent's sending end
        self.results = results  # the parent's receiving end
        self.state = state  # shared counter, see the module docstring
        self.sent: deque[_Send] = deque()  # chunks sent, results not yet received, in order
        self.base = 0  # jobs done before sent[0]
        self.weight = 0
        self.seen = 0  # the counter when last looked at, and since when (parent's clock)
        self.seen_at = 0.0


# -- in the worker ------------------------------------------------------------------


def _worker_main(
    jobs: Connection,
    results: Connection,
    state: Any,
    init: Callable[..., None],
    init_args: tuple[Any, ...],
    work: Callable[[Any], Any],
    parent: int | None,
    close_fds: Sequence[int],
) -> None:
    _die_with_parent(parent)
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in close_fds:  # the parent's ends of every pipe, inherited by fork: their ends of file must reach the workers
        with contextlib.suppress(OSError):
            os.close(fd)
    _stdout_to_devnull()
    init(*init_args)
    import queue
    import threading

    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_read_jobs, args=(jobs, inbox), daemon=True).start()
    done = 0
    while (msg := inbox.get()) is not None:
        seq, chunk = msg
        out = []
        for job in chunk:
            state.value = 2 * done + 1
            out.append(work(job))
            done += 1
            state.value = 2 * done
        results.send((seq, out))


def _read_jobs(jobs: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    while True:
        try:
            msg = jobs.recv()
        except (EOFError, OSError):  # the parent is gone: stop now, whatever the job in hand
            os._exit(0)
        inbox.put(msg)
        if msg is None:
            return


def _die_with_parent(parent: int | None) -> None:
    """On Linux, ask the kernel for SIGKILL when the parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:  # it died before we asked
        os._exit(0)


def _stdout_to_devnull() -> None:
    """Workers never print: a worker left behind must not hold the run's standard output open."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)


# -- in the parent --------------------------------------------------------------------


class Pool:
    """`workers` processes, each running `init(*init_args)` once, then `work(job)` per job.

    `budget` (seconds, None: none): a worker on one job for longer is killed and the
    job comes back as Lost("timed out after N s").  Not thread-safe: one thread drives it."""

    def __init__(
        self,
        workers: int,
        init: Callable[..., None],
        init_args: tuple[Any, ...],
        work: Callable[[Any], Any],
        budget: float | None = None,
    ) -> None:
        import multiprocessing
        from multiprocessing.connection import wait

        self._wait = wait
        self._ctx = multiprocessing.get_context()
        method = self._ctx.get_start_method()
        self._fork = method == "fork"
        self._parent = os.getpid() if method in ("fork", "spawn") else None  # a forkserver is its workers' parent
        self._init, self._init_args, self._work = init, init_args, work
        self.budget = budget or None
        self._seq = itertools.count()
        self._workers: list[_Worker] = []
        self._by_conn: dict[Connection, _Worker] = {}
        self._fruitless = 0
        for _ in range(workers):
            self._add(self._start())

    # starting and stopping

    def _start(self) -> _Worker:
        jobs_r, jobs_w = self._ctx.Pipe(duplex=False)
        res_r, res_w = self._ctx.Pipe(duplex=False)
        state = self._ctx.RawValue("q", 0)
        close: list[int] = []
        if self._fork:
            close = [c.fileno() for w in self._workers for c in (w.jobs, w.results)] + [jobs_w.fileno(), res_r.fileno()]
        args = (jobs_r, res_w, state, self._init, self._init_args, self._work, self._parent, close)
        proc = self._ctx.Process(target=_worker_main, args=args, daemon=True, name="sahel-events-worker")
        try:
            proc.start()
        finally:
            jobs_r.close()
            res_w.close()
        return _Worker(proc, jobs_w, res_r, state)

    def _add(self, w: _Worker, at: int | None = None) -> None:
        self._workers.insert(len(self._workers) if at is None else at, w)
        self._by_conn[w.results] = w

    def _drop(self, w: _Worker) -> int:
        """Kill and forget a worker; its place in the list."""
        with contextlib.suppress(Exception):
            w.proc.kill()
        with contextlib.suppress(Exception):
            w.proc.join()
        at = self._workers.index(w)
        del self._workers[at]
        self._by_conn.pop(w.results, None)
        for c in (w.jobs, w.results):
            with contextlib.suppress(OSError):
                c.close()
        return at

    def close(self) -> None:
        """Let every worker finish and exit (every result has been taken)."""
        for w in self._workers:
            with contextlib.suppress(OSError):
                w.jobs.send(None)
        for w in self._workers:
            w.proc.join(10)
        self.kill()

    def kill(self) -> None:
        """Stop every worker now."""
        for w in list(self._workers):
            with contextlib.suppress(Exception):
                w.proc.kill()
        for w in list(self._workers):
            self._drop(w)

    # jobs and results

    def submit(self, jobs: list[Any], weight: int = 0) -> Ticket:
        """Send a chunk to the least loaded worker (by `weight`, then chunks held)."""
        t = Ticket(jobs)
        if jobs:
            w = min(self._workers, key=lambda w: (w.weight, len(w.sent)))
            s = _Send(next(self._seq), t, list(range(len(jobs))), weight)
            w.sent.append(s)
            w.weight += weight
            self._transmit(w, [s])
        return t

    def result(self, t: Ticket) -> list[Any]:
        """The chunk's results, in job order, once all are in; other workers' results are taken in meanwhile."""
        while t.missing:
            self._pump()
        return t.results

    def _transmit(self, w: _Worker, sends: list[_Send]) -> None:
        for s in sends:
            jobs = s.ticket.jobs if len(s.idx) == len(s.ticket.jobs) else [s.ticket.jobs[i] for i in s.idx]
            try:
                w.jobs.send((s.seq, jobs))
                continue
            except OSError:
                pass
            self._lost(w)  # it died: its chunks go to a new worker (started outside the except block)
            return

    def _pump(self) -> None:
        wait_for = min(LOOK_EVERY, self.budget / 4) if self.budget else None
        for conn in self._wait(list(self._by_conn), wait_for):
            w = self._by_conn.get(conn)  # type: ignore[call-overload]
            if w is None:
                continue
            try:
                msg = w.results.recv()
            except Exception:  # noqa: BLE001 - end of file, or half a message: the worker died
                msg = None
            if msg is None:
                self._lost(w)
            else:
                self._take(w, msg)
        if self.budget:
            self._look()

    def _take(self, w: _Worker, msg: Any) -> None:
        seq, out = msg
        s = w.sent.popleft()
        assert s.seq == seq, "a worker answers its chunks in order"
        w.base += len(s.idx)
        w.weight -= s.weight
        res = s.ticket.results
        for i, r in zip(s.idx, out, strict=True):
            res[i] = r
        s.ticket.missing -= len(out)
        self._fruitless = 0

    def _look(self) -> None:
        """Kill a worker that has been on one job for longer than the budget."""
        now = time.monotonic()
        for w in list(self._workers):
            st = w.state.value
            if st != w.seen:
                w.seen, w.seen_at = st, now
            elif st % 2 and now - w.seen_at > (self.budget or 0):
                with contextlib.suppress(Exception):
                    w.proc.kill()
                self._lost(w, timed_out(self.budget or 0), blame=st)

    def _lost(self, w: _Worker, reason: str | None = None, blame: int | None = None) -> None:
        """A worker died (or was killed): take what it had sent, name the job it was on
        (only the job `blame` names, when given), give the rest to a new worker."""
        while True:  # results it sent before it died are still in the pipe
            try:
                if not w.results.poll(0):
                    break
                msg = w.results.recv()
            except Exception:  # noqa: BLE001 - end of file or half a message
                break
            self._take(w, msg)
        at = self._drop(w)
        st = w.state.value
        on = st // 2 if st % 2 and (blame is None or st == blame) else -1  # the job it was on
        why = reason or _death(w.proc.exitcode)
        new = self._start()
        self._add(new, at)
        resend: list[_Send] = []
        pos = w.base
        for s in w.sent:
            keep = []
            for i in s.idx:
                if pos == on:
                    s.ticket.results[i] = Lost(why)
                    s.ticket.missing -= 1
                else:
                    keep.append(i)
                pos += 1
            if keep:
                resend.append(_Send(next(self._seq), s.ticket, keep, s.weight))
        if on < 0:
            self._fruitless += 1
            if self._fruitless >= FRUITLESS_DEATHS:
                raise PoolError(f"worker processes keep dying before they finish a job ({why.removeprefix('the worker extracting it ')})")
        new.sent.extend(resend)
        new.weight = sum(s.weight for s in resend)
        self._transmit(new, resend)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker extracting it was killed by {name}"
    return f"the worker extracting it exited (status {code})"
