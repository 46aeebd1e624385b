"""A small discrete-event scheduler for coroutines, in engine clock cycles.

Coroutines await ``sched.sleep(n)``, ``event.wait()`` or each other; time jumps from event to
event, so simulated time costs nothing while nothing happens.

Within one clock, work runs in phases (then in the order it was scheduled): ``PHASE_EARLY``
for what a clock edge applies before the engine reacts (an AXI-Lite register write taking
effect), ``PHASE_NORMAL`` for the engine and most tasks, ``PHASE_LATE`` for what samples the
state the clock leaves behind (an AXI-Lite register read).
"""
from __future__ import annotations

import heapq
from typing import Any, Awaitable, Callable, Coroutine

PHASE_EARLY, PHASE_NORMAL, PHASE_LATE = 0, 1, 2


class _Request:
    __slots__ = ("kind", "arg", "phase")

    def __init__(self, kind: str, arg: Any, phase: int = PHASE_NORMAL):
        self.kind, self.arg, self.phase = kind, arg, phase

    def __await__(self):
        return (yield self)


class Event:
    def __init__(self, sched: "Scheduler"):
        self.sched = sched
        self.is_set = False
        self.waiters: list[Task] = []

    def set(self) -> None:
        self.is_set = True
        waiters, self.waiters = self.waiters, []
        for t in waiters:
            self.sched.make_ready(t)

    def clear(self) -> None:
        self.is_set = False

    def wait(self) -> Awaitable[None]:
        return _Request("event", self)


class _Poll:
    """A task waiting in ``sleep_while``: woken every ``every`` clocks, resumed only once
    ``cond()`` is false."""

    __slots__ = ("task", "every", "cond", "until")

    def __init__(self, task: "Task", every: int, cond: Callable[[], bool], until: int | None):
        self.task, self.every, self.cond, self.until = task, every, cond, until


class Task:
    __slots__ = ("coro", "done", "result", "exc", "done_event", "name")

    def __init__(self, coro: Coroutine, name: str = ""):
        self.coro, self.name = coro, name
        self.done = False
        self.result = None
        self.exc: BaseException | None = None
        self.done_event: Event | None = None


class Scheduler:
    # Plain calls (and idle sleep_while wake-ups) due before a task's resumption run in line,
    # from the task's own advance, instead of the task taking a trip through the queue
    # (False: the loop runs everything; the reports are the same either way, which
    # tests/test_model_bulk.py checks).
    inline_calls: bool = True

    def __init__(self) -> None:
        self.now = 0
        self._heap: list[tuple[int, int, int, Any]] = []
        self._seq = 0
        self._phase = PHASE_NORMAL
        self.failed: list[Task] = []
        self._max: int | None = None
        self._resume: tuple[int, int, int] | None = None   # a task's place reserved by advance

    @property
    def phase(self) -> int:
        """The phase of the clock being run (PHASE_EARLY, PHASE_NORMAL or PHASE_LATE)."""
        return self._phase

    def pending(self) -> int:
        """How many steps and calls are queued."""
        return len(self._heap)

    def discard_pending(self) -> None:
        """Drops everything queued, closing the coroutines of queued task steps (for a test
        that drives an engine's methods without running its processes)."""
        for *_, item in self._heap:
            if isinstance(item, Task):
                item.coro.close()
        self._heap.clear()

    def _push(self, when: int, item: Any, phase: int = PHASE_NORMAL) -> None:
        self._seq += 1
        if when == self.now and phase < self._phase:
            phase = self._phase          # a phase already passed in this clock runs now
        heapq.heappush(self._heap, (when, phase, self._seq, item))

    def make_ready(self, task: Task) -> None:
        """Queues ``task`` to run in the current clock (an event it waited for was set)."""
        self._push(self.now, task, max(self._phase, PHASE_NORMAL))

    def sleep(self, cycles: int, phase: int = PHASE_NORMAL) -> Awaitable[None]:
        """Resume ``cycles`` clocks later, in ``phase`` of that clock (sleep(0, PHASE_LATE):
        after everything else of this clock)."""
        return _Request("sleep", max(0, int(cycles)), phase)

    def advance(self, cycles: int, phase: int = PHASE_NORMAL) -> bool:
        """For the running task: if ``sleep(cycles, phase)`` would resume it before any other
        task runs, moves time on and returns True (the task carries on without awaiting);
        otherwise returns False (the task awaits ``sleep``, which then takes the place in the
        queue this call reserved).  Plain calls and idle ``sleep_while`` wake-ups due first run
        here, in order (see ``_reach``)."""
        if self._max is not None:
            return False
        if cycles.__class__ is not int or cycles < 0:
            cycles = max(0, int(cycles))
        when = self.now + cycles
        if not cycles and phase < self._phase:
            phase = self._phase
        heap = self._heap
        if heap:
            head = heap[0]
            if head[0] < when or (head[0] == when and head[1] <= phase):
                seq = self._reach(when, phase)
                if seq:
                    self._resume = (when, phase, seq)
                    return False
                return True
        self.now, self._phase = when, phase
        return True

    def quiet_through(self, when: int) -> bool:
        """Nothing is queued up to and including clock ``when`` (and no cycle limit runs): the
        running task may move the clock anywhere up to ``when`` (``jump``) and nothing can
        run in between, exactly as ``advance`` would do there."""
        heap = self._heap
        return self._max is None and (not heap or heap[0][0] > when)

    def first_due(self) -> int | None:
        """The clock of the first step or call queued (None if nothing is); the current clock
        while a cycle limit runs (nothing may be passed over then)."""
        if self._max is not None:
            return self.now
        return self._heap[0][0] if self._heap else None

    def jump(self, when: int, phase: int) -> None:
        """Moves the clock to (``when``, ``phase``), for a task that found ``quiet_through(when)``."""
        self.now, self._phase = when, phase

    def call_then_advance(self, t_call: int, fn: Callable[[], None], t_call_phase: int,
                          cycles: int, phase: int) -> bool:
        """``call_at(t_call, fn, t_call_phase)`` then ``advance(cycles, phase)``, for a call due
        after now and before the advance's target: the same result, but when the call is the
        first thing due it runs at once, at its clock, without a trip through the queue."""
        heap = self._heap
        if self._max is not None or not self.inline_calls or t_call <= self.now or \
                (t_call, t_call_phase) >= (self.now + cycles, phase) or (heap and (heap[0][0] < t_call or (heap[0][0] == t_call and heap[0][1] <= t_call_phase))):
            self.call_at(t_call, fn, t_call_phase)
            return self.advance(cycles, phase)
        when = self.now + cycles
        self._seq += 2                  # the call's place, then the task's (as advance reserves it)
        seq = self._seq
        self.now, self._phase = t_call, t_call_phase
        fn()
        if heap and heap[0] < (when, phase, seq):
            seq = self._reach(when, phase, seq)
            if seq:
                self._resume = (when, phase, seq)
                return False
            return True
        self.now, self._phase = when, phase
        return True

    def _reach(self, when: int, phase: int, seq: int = 0) -> int:
        """Runs what is queued before a task's resumption at (``when``, ``phase``) as long as
        it is plain calls and ``sleep_while`` wake-ups that find their condition still true:
        the same work, in the same order and at the same clocks, as the loop would run while
        the task waited, without the task's trip through the queue.  ``seq``: the task's
        place in the queue if already reserved.  Returns 0 once the task may carry on at
        (``when``, ``phase``) (the clock is moved there), else the task's reserved sequence
        number (the clock is left as it was; the task must sleep until (``when``, ``phase``))."""
        if not seq:
            self._seq += 1
            seq = self._seq
        target = (when, phase, seq)
        heap = self._heap
        if self.inline_calls:
            now0, phase0 = self.now, self._phase
            pop, task_kind, poll_kind = heapq.heappop, Task, _Poll
            while heap:
                head = heap[0]
                if head >= target:
                    break
                t, ph, _, item = head
                kind = item.__class__
                if kind is task_kind:
                    self.now, self._phase = now0, phase0
                    return seq
                self.now, self._phase = t, ph
                if kind is poll_kind:
                    if (item.until is not None and t > item.until) or not item.cond():
                        self.now, self._phase = now0, phase0
                        return seq
                    pop(heap)
                    self._poll_again(item, (when, phase))
                    continue
                pop(heap)
                item()
            self.now, self._phase = when, phase
            return 0
        return seq

    def sleep_while(self, cycles: int, cond: Callable[[], bool], until: int | None = None) -> Awaitable[None]:
        """For a ``cond()`` just found true (and ``now <= until``): sleeps ``cycles`` clocks at
        a time (PHASE_NORMAL) until a wake-up finds ``cond()`` false or the clock past
        ``until``.  The same clocks, and the same order within each clock, as
        ``while cond() and now <= until: await sleep(cycles)``, without resuming the
        coroutine at each wake-up; wake-ups with nothing else run in between (so nothing
        ``cond`` reads can have changed) are passed over in one step.  ``cond`` must only
        read state, not the clock."""
        return _Request("poll", (max(1, int(cycles)), cond, until))

    def _poll(self, item: _Poll) -> None:
        """A sleep_while wake-up at the current clock."""
        if (item.until is not None and self.now > item.until) or not item.cond():
            self._step(item.task)
            return
        self._poll_again(item)

    def _poll_again(self, item: _Poll, bound: tuple[int, int] | None = None) -> None:
        """Queues the next wake-up of a sleep_while whose condition held at the current clock.

        The following wake-ups that come before anything else queued (a wake-up's own
        re-queueing is the only thing between them) all see the same state: skip to the
        first one that may see something new, the one past `until`, or past max_cycles,
        with the sequence number it would have had.  ``bound``: (clock, phase) of a task's
        resumption not yet queued (``_reach``), which counts as queued."""
        every, t = item.every, self.now
        heap = self._heap
        if heap:
            head = heap[0]
            w2, p2 = head[0], head[1]
            if bound is not None and bound < (w2, p2):
                w2, p2 = bound
        elif bound is not None:
            w2, p2 = bound
        else:
            w2 = None
        if w2 is not None:
            last = w2 - 1 if p2 <= PHASE_NORMAL else w2     # last clock a wake-up precedes it
            j = (last - t) // every + 1
            if j < 1:
                j = 1
        elif item.until is None and self._max is None:
            j = 1
        else:
            j = None
        for limit in (item.until, self._max):
            if limit is not None:
                k = max(1, (limit - t) // every + 1)     # first wake-up past the limit
                j = k if j is None else min(j, k)
        # (as _push: the wake-up is past the current clock, so its phase stands)
        self._seq += j
        heapq.heappush(heap, (t + j * every, PHASE_NORMAL, self._seq, item))

    def event(self) -> Event:
        return Event(self)

    def call_at(self, when: int, fn: Callable[[], None], phase: int = PHASE_NORMAL) -> None:
        when = int(when)
        now = self.now
        if when <= now:
            when = now
            if phase < self._phase:
                phase = self._phase          # a phase already passed in this clock runs now
        self._seq += 1
        heapq.heappush(self._heap, (when, phase, self._seq, fn))

    def reserve(self) -> int:
        """The sequence number a ``call_at`` made now would get, for ``call_reserved`` later
        (the call then runs in the place, among the work of its clock, it would have had)."""
        self._seq += 1
        return self._seq

    def call_reserved(self, when: int, fn: Callable[[], None], seq: int) -> None:
        """``call_at(when, fn)`` as if made when ``seq`` was reserved (``when`` must not be
        in the past, and no work of that clock ordered after it may have run yet)."""
        if when < self.now:
            raise ValueError(f"call_reserved at clock {when}, before now ({self.now})")
        heapq.heappush(self._heap, (when, PHASE_NORMAL, seq, fn))

    def spawn(self, coro: Coroutine, name: str = "") -> Task:
        task = Task(coro, name)
        self.make_ready(task)
        return task

    def _step(self, task: Task) -> None:
        heap = self._heap
        seq = 0
        try:
            while True:
                req = task.coro.send(None)
                resume, self._resume = self._resume, None
                if req.kind != "sleep" or self._max is not None:
                    break
                # Resumed next anyway (nothing else is due before then): carry on at once,
                # in the clock and phase it asked for, without a trip through the heap.
                when, phase = self.now + req.arg, req.phase
                if when == self.now and phase < self._phase:
                    phase = self._phase          # as _push does
                if resume is not None and resume[0] == when and resume[1] == phase:
                    seq = resume[2]              # advance() found it must wait: its place
                    break
                if heap:
                    head = heap[0]
                    if head[0] < when or (head[0] == when and head[1] <= phase):
                        seq = self._reach(when, phase)
                        if seq:
                            break
                        continue
                self.now, self._phase = when, phase
        except StopIteration as stop:
            task.done, task.result = True, stop.value
            if task.done_event:
                task.done_event.set()
            return
        except BaseException as e:  # noqa: BLE001 - surfaced by run()
            task.done, task.exc = True, e
            self.failed.append(task)
            if task.done_event:
                task.done_event.set()
            return
        if req.kind == "sleep":
            if seq:
                heapq.heappush(heap, (when, phase, seq, task))
            else:
                self._push(self.now + req.arg, task, req.phase)
        elif req.kind == "poll":
            every, cond, until = req.arg
            self._push(self.now + every, _Poll(task, every, cond, until))
        elif req.kind == "event":
            if req.arg.is_set:
                self.make_ready(task)
            else:
                req.arg.waiters.append(task)
        else:  # pragma: no cover
            raise RuntimeError(f"unknown request {req.kind}")

    def run(self, main: Coroutine, max_cycles: int | None = None) -> Any:
        """Runs until ``main`` finishes; other tasks run alongside it."""
        top = self.spawn(main, "main")
        self._max = max_cycles
        heap, pop, failed = self._heap, heapq.heappop, self.failed
        limit = max_cycles if max_cycles is not None else float("inf")
        while not top.done:
            if failed:
                raise failed[0].exc
            if not heap:
                raise RuntimeError(f"deadlock at cycle {self.now}: nothing left to run")
            when, phase, _, item = pop(heap)
            if when > limit:
                raise TimeoutError(f"simulation passed {max_cycles} cycles")
            self.now = when
            self._phase = phase
            kind = type(item)
            if kind is Task:
                if not item.done:
                    self._step(item)
            elif kind is _Poll:
                self._poll(item)
            else:
                item()
        if top.exc is not None:
            raise top.exc
        return top.result
