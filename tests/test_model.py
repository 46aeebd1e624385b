"""The fast model with the driver model on top (no simulator): modes, policies, accounting."""
from __future__ import annotations

import numpy as np
import pytest

from sgdma_sim import acquisition
from sgdma_sim.acquisition import Scenario, adc_bytes, adc_sample_direct, adc_samples, count_mismatches, percentile
from sgdma_sim.events import Scheduler
from sgdma_sim.model import run_scenario
from sgdma_sim.sweep import parse_param, run_sweep

KiB = 1024


def clean(rep: dict) -> None:
    assert rep["data_errors"] == 0, rep["data_errors"]
    assert not rep["accounting_errors"], rep["accounting_errors"]
    assert rep["bytes_read"] + rep["lost_bytes"] == rep["bytes"]
    assert rep["ok"]


@pytest.mark.parametrize("mode", ["owned", "tail", "cyclic"])
def test_modes_fast_consumer_lose_nothing(mode):
    rep = run_scenario(Scenario(buffers=8, buf_size=16 * KiB, laps=4, mode=mode, irq_threshold=3, irq_delay=40))
    clean(rep)
    assert rep["lost_bytes"] == 0 and rep["descriptors"] == 32
    assert rep["interrupts"] < rep["descriptors"]


def test_default_cyclic_scenario_reads_every_byte_right():
    """The CLI's default scenario in plain cyclic mode (8 x 64 KiB, threshold 4, delay timer):
    the engine must not land a buffer's bytes in memory before it writes them, or the reader,
    which trusts the driver's (coalesced) view of progress, reads data from a later lap."""
    rep = run_scenario(Scenario(mode="cyclic"))
    clean(rep)
    assert rep["bytes_read"] == rep["bytes"]


def test_lazy_mapping_streaming_buffers_old_kernel():
    rep = run_scenario(Scenario(buffers=4, buf_size=8 * KiB, laps=3, mode="tail", strategy="lazy",
                                double_map=False, kernel="4.14", streaming=True, rate=0.7))
    clean(rep)
    assert rep["lost_bytes"] == 0


def test_drop_policy_loss_equals_engine_counter():
    rep = run_scenario(Scenario(buffers=4, buf_size=8 * KiB, laps=8, mode="owned", policy="drop", consumer="slow"))
    clean(rep)
    assert rep["engine_dropped_bytes"] > 0 and rep["lost_bytes"] == rep["engine_dropped_bytes"]


def test_cyclic_overrun_is_counted():
    rep = run_scenario(Scenario(buffers=4, buf_size=8 * KiB, laps=8, mode="cyclic", consumer="slow"))
    clean(rep)
    assert rep["overruns"] > 0 and rep["ring_overrun_bytes"] > 0 and rep["engine_dropped_bytes"] == 0


def test_stall_with_slow_consumer_loses_nothing():
    rep = run_scenario(Scenario(buffers=4, buf_size=8 * KiB, laps=6, mode="owned", policy="stall", consumer="slow"))
    clean(rep)
    assert rep["lost_bytes"] == 0


def test_interrupt_latency_causes_drops_and_is_reported():
    fast = run_scenario(Scenario(buffers=2, buf_size=64 * KiB, laps=6, rate=0.5, mode="owned", policy="drop",
                                 irq_threshold=1, irq_delay=0, irq_latency=60000))
    clean(fast)
    assert fast["engine_dropped_bytes"] > 0
    assert fast["irq_latency_p50"] >= 60000


def test_bad_scenarios_name_the_value():
    with pytest.raises(ValueError, match="buf_size=1000"):
        Scenario(buf_size=1000).validate()
    with pytest.raises(ValueError, match="rate=1.5"):
        Scenario(rate=1.5).validate()
    with pytest.raises(ValueError, match="policy='maybe'"):
        Scenario(policy="maybe").validate()
    with pytest.raises(ValueError, match="nosuch"):
        parse_param("nosuch=1,2")


def test_sweep_rows():
    rows = run_sweep(Scenario(buf_size=8 * KiB, laps=2), [("buffers", [2, 4])], "lost_bytes")
    assert [r["buffers"] for r in rows] == [2, 4] and all(r["ok"] for r in rows)


def test_pattern_is_positional():
    assert bytes(adc_bytes(100, 50)) == bytes(adc_bytes(0, 200)[100:150])


def test_pattern_table_is_the_formula_sample_by_sample():
    # one whole period (16 sine periods) and a window across the period boundary
    period = 65537 * 16
    k = np.arange(period + 1000, dtype=np.int64)
    assert np.array_equal(adc_samples(0, len(k)), adc_sample_direct(k))
    far = np.arange(7 * period - 500, 7 * period + 500, dtype=np.int64)
    assert np.array_equal(adc_samples(int(far[0]), len(far)), adc_sample_direct(far))


@pytest.mark.parametrize("memcmp", [True, False])
def test_count_mismatches_finds_each_wrong_byte(monkeypatch, memcmp):
    if not memcmp:
        monkeypatch.setattr(acquisition, "_MEMCMP", None)
    for pos, n in ((5, 3000), (123, 300_000), (4 << 20, 5 << 20)):
        data = adc_bytes(pos, n).copy()
        assert count_mismatches(data, pos) == 0
        assert count_mismatches(data, pos + 2) > 0
        data[[0, n // 2, n - 1]] ^= 0x40
        assert count_mismatches(data, pos) == 3
        assert count_mismatches(data[1:], pos + 1) == 2


def test_percentile_is_numpys():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 10, 101, 1000):
        for xs in (rng.integers(1, 500, n).astype(float), rng.exponential(40, n), np.full(n, 5.0)):
            ordered = sorted(xs.tolist())
            for q in (0, 1, 25, 50, 90, 99, 100):
                assert percentile(ordered, q) == float(np.percentile(xs, q)), (n, q)
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_scheduler_orders_events_and_detects_deadlock():
    s = Scheduler()
    log = []

    async def a():
        await s.sleep(5)
        log.append(("a", s.now))

    async def main():
        s.spawn(a())
        await s.sleep(10)
        log.append(("main", s.now))
    s.run(main())
    assert log == [("a", 5), ("main", 10)]
    ev = Scheduler()

    async def stuck():
        await ev.event().wait()
    with pytest.raises(RuntimeError, match="deadlock"):
        ev.run(stuck())


def test_ring_positions_match_their_definition():
    """completions_before / position_of (binary search over cached descriptor ends) against
    the brute-force definition, on a ring of unequal descriptors."""
    from types import SimpleNamespace

    import numpy as np

    from sgdma_driver.driver import Mode
    from sgdma_driver.ring import UserRing

    lengths = [4096, 100, 8192, 1, 3000, 4096]
    offs = np.cumsum([0] + lengths[:-1]).tolist()
    descs = [SimpleNamespace(ring_offset=o, length=n) for o, n in zip(offs, lengths)]
    chain = type("Chain", (), {"descs": descs, "__len__": lambda self: len(self.descs)})()
    size = sum(lengths)
    drv = SimpleNamespace(ring_size=size, chain=chain, mode=Mode.CYCLIC, completed=0)
    ring = UserRing(drv, SimpleNamespace(length=size, array=np.zeros(size, np.uint8), fault=None))
    for pos in list(range(0, 3 * size, 97)) + [size, 2 * size - 1, offs[3] + 1]:
        lap, within = divmod(pos, size)
        expect = lap * len(descs) + sum(1 for d in descs if d.ring_offset + d.length <= within)
        assert ring.completions_before(pos) == expect, pos
    for seq in range(3 * len(descs)):
        assert ring.position_of(seq) == (seq // len(descs)) * size + offs[seq % len(descs)]
    assert ring.guard == 2 * max(lengths)


def test_ring_pieces_match_position_of():
    """UserRing.pieces (the buffers a span covers) against position_of, across laps."""
    from types import SimpleNamespace

    import numpy as np

    from sgdma_driver.driver import Mode
    from sgdma_driver.ring import UserRing

    lengths = [4096, 100, 8192, 1, 3000]
    offs = np.cumsum([0] + lengths[:-1]).tolist()
    descs = [SimpleNamespace(ring_offset=o, length=n) for o, n in zip(offs, lengths)]
    chain = type("Chain", (), {"descs": descs, "__len__": lambda self: len(self.descs)})()
    size = sum(lengths)
    drv = SimpleNamespace(ring_size=size, chain=chain, mode=Mode.CYCLIC, completed=0)
    ring = UserRing(drv, SimpleNamespace(length=size, array=np.zeros(size, np.uint8), fault=None))
    for start in range(0, 2 * size, 331):
        for n in (1, 99, 4096, size, 2 * size - 7):
            got = ring.pieces(start, start + n)
            seq = ring.completions_before(start)
            expect = []
            while not expect or expect[-1][2] < start + n:
                expect.append((seq, ring.position_of(seq), ring.position_of(seq + 1)))
                seq += 1
            assert got == expect, (start, n)
    with pytest.raises(ValueError, match="end"):
        ring.pieces(10, 5)


def _trace(seed: int, use_shortcuts: bool, max_cycles=None) -> list:
    """Random tasks (sleeps of 0..9 clocks in random phases, callbacks, a flag flipped now
    and then) beside a poller that waits, every few clocks, for the flag to change: the log
    of who ran when, in order."""
    import random

    from sgdma_sim.events import PHASE_EARLY, PHASE_LATE, PHASE_NORMAL

    rng = random.Random(seed)
    s = Scheduler()
    log, state = [], {"flag": 0}
    every = rng.randint(1, 6)
    plan = [[(rng.randint(0, 9), rng.choice((PHASE_EARLY, PHASE_NORMAL, PHASE_LATE)), rng.random() < 0.1,
              rng.random() < 0.2) for _ in range(40)] for _ in range(3)]

    async def worker(k: int):
        for d, ph, flip, callback in plan[k]:
            if not (use_shortcuts and s.advance(d, ph)):
                await s.sleep(d, ph)
            log.append((k, s.now, s.phase))
            if flip:
                state["flag"] += 1
            if callback:
                s.call_at(s.now + d, lambda k=k: log.append(("cb", k, s.now)))

    async def main():
        for k in range(3):
            s.spawn(worker(k))
        for _ in range(12):
            seen = state["flag"]
            until = s.now + 60
            if use_shortcuts:
                if state["flag"] == seen and s.now <= until:
                    await s.sleep_while(every, lambda: state["flag"] == seen, until)
            else:
                while state["flag"] == seen and s.now <= until:
                    await s.sleep(every)
            log.append(("main", s.now, state["flag"]))
            await s.sleep(1)
    s.run(main(), max_cycles)
    return log


def test_scheduler_shortcuts_keep_every_clock_and_order():
    """sleep_while and advance resume tasks in exactly the clocks and order plain sleeps
    would (scheduler traces of random task mixes, compared event by event)."""
    for seed in range(300):
        assert _trace(seed, True) == _trace(seed, False), seed
    with pytest.raises(TimeoutError):
        _trace(1, True, max_cycles=20)


def test_every_corrupted_byte_is_counted(monkeypatch):
    """Buffers checked in one run per contiguous stretch still count each wrong byte."""
    import numpy as np

    from sgdma_sim import model

    hit = {"n": 0}
    orig = model.EngineModel.write_at

    def corrupt(self, when, addr, data):
        hit["n"] += 1
        if hit["n"] in (3, 40):     # two buffers, one byte each
            data = np.array(data, copy=True)
            data[17] ^= 0xFF
        return orig(self, when, addr, data)
    monkeypatch.setattr(model.EngineModel, "write_at", corrupt)
    rep = run_scenario(Scenario(buffers=64, buf_size=4096, laps=1, mode="owned"))
    assert rep["data_errors"] == 2 and rep["bytes_read"] == rep["bytes"]


def test_kept_translation_is_dropped_when_the_mapping_goes():
    """The engine keeps a buffer's IOMMU translation between laps, but a write after the
    buffer was unmapped is refused (SLVERR) and lands nowhere."""
    import numpy as np

    from sgdma_driver.dma_api import DmaDirection
    from sgdma_driver.iommu import DeviceMemoryPort, Iommu
    from sgdma_driver.physmem import PhysicalMemory
    from sgdma_sim.model import EngineModel, ModelParams

    mem = PhysicalMemory(1 << 20)
    iommu = Iommu(mem)
    bus = iommu.map(0x10000, 8192, DmaDirection.FROM_DEVICE)
    sched = Scheduler()
    eng = EngineModel(sched, ModelParams(), DeviceMemoryPort(iommu))
    sched.discard_pending()          # the engine's process is not run here
    data = np.arange(8192, dtype=np.uint16).astype(np.uint8)
    assert eng.write_at(0, bus, data) and bytes(mem.view(0x10000, 8192)) == data.tobytes()
    assert eng.write_at(0, bus, data[::-1].copy())          # the kept translation, same mapping
    assert bytes(mem.view(0x10000, 8192)) == data[::-1].tobytes()
    iommu.unmap(bus, 8192)
    mem.view(0x10000, 8192)[:] = 0
    assert not eng.write_at(0, bus, data)
    assert not mem.view(0x10000, 8192).any() and iommu.faults
    other = iommu.map(0x40000, 8192, DmaDirection.FROM_DEVICE)   # a new mapping elsewhere
    assert eng.write_at(0, other, data) and not mem.view(0x10000, 8192).any()


def _bare_engine(port=None):
    """An EngineModel on its own scheduler, its process not run (the test drives it)."""
    from sgdma_sim.model import EngineModel, ModelParams

    sched = Scheduler()
    eng = EngineModel(sched, ModelParams(), port)
    sched.discard_pending()
    return sched, eng


def test_only_the_latest_delay_timer_expires_in_its_own_place():
    """Each completion below the threshold restarts the delay timer: only the latest one
    expires, delay x DELAY_UNIT clocks after its completion, after work scheduled for that
    clock before the completion and before work scheduled after it; however many
    completions come in one delay period, one scheduled call stands for their timers."""
    from sgdma_driver import regmap as rm

    cr = rm.S2MM_DMACR
    sched, eng = _bare_engine()
    unit = eng.p.delay_unit
    eng.write_reg(cr.offset, cr.DLY_IRQ_EN.put(1) | cr.IRQ_THRESHOLD.put(100) | cr.IRQ_DELAY.put(2))
    due = 30 + 2 * unit
    last = 30 + 3 * unit + 150       # the latest of the many restarts below
    seen = []

    def look(tag):
        return lambda: seen.append((tag, sched.now, eng.dly_irq))

    async def main():
        for t in (10, 20, 30):
            await sched.sleep(t - sched.now)
            if t == 30:
                sched.call_at(due, look("scheduled before"))
            eng.count_completion()
        sched.call_at(due, look("scheduled after"))
        sched.call_at(due - 1, look("one clock early"))
        sched.call_at(20 + 2 * unit, look("when the second timer was due"))
        await sched.sleep(3 * unit)
        eng.write_reg(rm.S2MM_DMASR.offset, rm.S2MM_DMASR.DLY_IRQ.mask)
        for _ in range(150):         # restarts within one delay period: one call for all
            # (the 100th completion reaches the threshold: IOC, and the count starts again)
            await sched.sleep(1)
            eng.count_completion()
            assert sched.pending() <= 2, sched.pending()
        assert sched.now == last
        sched.call_at(last + 2 * unit - 1, look("restarted, one clock early"))
        sched.call_at(last + 2 * unit, look("restarted, due"))
        await sched.sleep(3 * unit)
    sched.run(main())
    assert seen == [("when the second timer was due", 20 + 2 * unit, False),
                    ("one clock early", due - 1, False), ("scheduled before", due, False),
                    ("scheduled after", due, True),
                    ("restarted, one clock early", last + 2 * unit - 1, False),
                    ("restarted, due", last + 2 * unit, True)]


def test_stream_source_reads_across_chunks_and_packets():
    import numpy as np

    from sgdma_sim.model import StreamSource

    src = StreamSource(8)
    parts = [b"abc", b"", b"defghij", bytes(range(40))]
    for i, p in enumerate(parts):
        src.push(p, last=i % 2 == 1)
    whole = b"".join(parts)
    got, t = [], 0.0
    for n in (2, 1, 0, 5, 3, 17, 0, 22):
        data, t = src.take(n, t)
        assert isinstance(data, np.ndarray) and len(data) == n
        got.append(bytes(data))
    assert b"".join(got) == whole and src.available() == 0


def test_one_page_device_accesses_are_checked_like_longer_ones():
    from sgdma_driver.dma_api import DmaDirection
    from sgdma_driver.iommu import DeviceMemoryPort, Iommu, IommuFault
    from sgdma_driver.physmem import PhysicalMemory

    mem = PhysicalMemory(1 << 20)
    iommu = Iommu(mem)
    port = DeviceMemoryPort(iommu)
    to_dev = iommu.map(0x10000, 4096, DmaDirection.TO_DEVICE)
    from_dev = iommu.map(0x20000, 8192, DmaDirection.FROM_DEVICE)
    mem.write(0x10010, b"descript")
    assert port.read_sync(to_dev + 0x10, 8) == b"descript"
    with pytest.raises(IommuFault, match="write to a TO_DEVICE"):
        port.write_sync(to_dev + 0x10, b"x")
    with pytest.raises(IommuFault, match="read to a FROM_DEVICE"):
        port.read_sync(from_dev, 4)
    with pytest.raises(IommuFault, match="not mapped"):
        port.read_sync(to_dev + 4096, 4)                # the guard page after the mapping
    port.write_sync(from_dev + 4092, b"12345678")        # two pages: two pieces
    assert mem.read(0x20000 + 4092, 8) == b"12345678"
    assert iommu.translate(from_dev + 4, 4088, True) == [(0x20004, 4088)]
    assert len(iommu.faults) == 3


def test_bytes_written_interpolates_the_latest_buffers():
    import random

    sched, eng = _bare_engine()
    rng = random.Random(5)
    t, segs = 0.0, []
    for _ in range(40):
        start = t + rng.choice((0, 0, 3.5))
        end = start + rng.randint(1, 600) / rng.choice((1, 0.7))
        k = rng.randint(1, 4096)
        segs.append((start, end, k))
        eng.record_write(start, end, k)
        t = end
    kept = segs[-16:]            # the engine keeps the latest 16 buffers' writes
    for q in [rng.uniform(kept[0][0], t + 10) for _ in range(300)] + [s[0] for s in kept] + [s[1] for s in kept]:
        expect = sum(k for *_, k in segs) - sum(
            (k if q <= a else int(k * (b - q) / (b - a))) for a, b, k in kept if q < b)
        assert eng.bytes_written(q) == expect, q
