"""The sgdma Linux driver, modelled: probe, ring set-up, start, interrupt service, completion
processing, error recovery and buffer release.  It talks to the engine only through
``HwInterface`` and to memory only through the DMA API, like the real driver.

Progress comes from the engine's free-running COMPLETED counter and the descriptors' Cmplt
bits, never from the number of interrupts (coalescing merges them).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable

from . import regmap as rm
from .allocator import OutOfMemoryError
from .dma_api import Device, DmaBuffer, DmaDirection
from .hw import HwInterface
from .isr import InterruptService, acknowledge
from .physmem import check_int
from .sg import DescriptorChain

CR, SR, XC, XS = rm.S2MM_DMACR, rm.S2MM_DMASR, rm.SGDMA_XCTRL, rm.SGDMA_XSTATUS
_CMPLT, _LENGTH, _RXSOF, _RXEOF = rm.STATUS.CMPLT, rm.STATUS.LENGTH, rm.STATUS.RXSOF, rm.STATUS.RXEOF
_SR_ERRORS = 0
for _f in rm.DMASR_ERROR_BITS:
    _SR_ERRORS |= _f.mask
_XS_OVR = XS.OVR_IRQ
_XS_OVR_MASK = _XS_OVR.mask
_CMPLT_MASK, _RXSOF_MASK, _RXEOF_MASK = _CMPLT.mask, _RXSOF.mask, _RXEOF.mask
_LENGTH_LSB, _LENGTH_MAX = _LENGTH.lsb, _LENGTH.max
_ADDR_REGS = {n: rm.REG[n].offset for n in ("S2MM_CURDESC", "S2MM_CURDESC_MSB", "S2MM_TAILDESC", "S2MM_TAILDESC_MSB")}


async def read_counter(hw: HwInterface, name: str) -> int:
    """One of the engine's 64-bit counters (regmap.COUNTERS): the low word, which latches the
    high word, then the high word."""
    offs = rm.COUNTER_OFFSETS.get(name)
    if offs is None:
        raise ValueError(f"no counter {name!r}; the counters are {', '.join(rm.COUNTERS)}")
    lo = await hw.read_reg(offs[0])
    hi = await hw.read_reg(offs[1])
    return (hi << 32) | lo


class DriverError(Exception):
    """The driver cannot go on (probe failed, bad configuration or arguments)."""


class Mode(enum.Enum):
    CYCLIC = "cyclic"        # PG021 cyclic: the engine overwrites; overruns are detected
    OWNED = "owned"          # cyclic + ownership check: the engine never overwrites unread data
    TAIL = "tail"            # tail pointer: the driver hands buffers back by moving TAILDESC


class Policy(enum.Enum):
    STALL = 0
    DROP = 1


@dataclass(slots=True)
class Completion:
    """One descriptor the engine is done with: what the driver saw of it, or (from the
    functional reference, with ``data``) what it must look like."""

    index: int              # descriptor index in the chain
    seq: int                # completion number since start (0, 1, 2, ...)
    length: int             # bytes written (STATUS.LENGTH)
    capacity: int           # CONTROL.LENGTH
    sof: bool
    eof: bool
    lapped: bool = False    # overwritten by a later lap before the driver saw it (plain cyclic)
    stream_pos: int = -1    # stream position of the first byte (position write-back), else -1
    gap: int = 0            # stream bytes lost just before this buffer (dropped or to an error)
    data: bytes | None = None   # the buffer's bytes, where they are known (the reference's expectation)

    @property
    def residue(self) -> int:
        return self.capacity - self.length

    @property
    def status(self) -> int:
        """The STATUS word a completed descriptor carries: Cmplt, RXSOF, RXEOF and LENGTH."""
        flags = _CMPLT.mask | (_RXSOF.mask if self.sof else 0) | (_RXEOF.mask if self.eof else 0)
        return flags | _LENGTH.put(self.length)


@dataclass
class ErrorReport:
    bits: list[str]
    desc_index: int
    desc_bus: int
    status: int
    lost_bytes: int


@dataclass
class Stats:
    interrupts: int = 0
    completions: int = 0
    bytes: int = 0
    overrun_events: int = 0          # 'O': the reader was lapped or data was dropped
    engine_dropped_bytes: int = 0    # from the engine's DROPPED_BYTES counter
    engine_dropped_packets: int = 0
    gap_bytes: int = 0               # stream bytes missing between buffers (from APP0 positions)
    errors: list[ErrorReport] = field(default_factory=list)


class SgdmaDriver:
    def __init__(self, hw: HwInterface, dev: Device, *, mode: Mode = Mode.CYCLIC,
                 policy: Policy = Policy.STALL, irq_threshold: int = 1, irq_delay: int = 0,
                 streaming: bool = False, position_writeback: bool = True):
        irq_threshold = check_int("irq_threshold", irq_threshold, 1, 255, DriverError, DriverError)
        irq_delay = check_int("irq_delay", irq_delay, 0, 255, DriverError, DriverError)
        if not isinstance(dev, Device):
            raise DriverError(f"the driver needs a dma_api.Device, got {dev!r}")
        self.hw, self.dev = hw, dev
        self.mode, self.policy = Mode(mode), Policy(policy)
        self.irq_threshold, self.irq_delay = irq_threshold, irq_delay
        self.streaming = streaming
        self.position_writeback = position_writeback
        self._next_pos = 0       # stream position where the next buffer should start
        self.stats = Stats()
        self.config: dict[str, int] = {}
        self.buffers: list[tuple[DmaBuffer, int]] = []   # (cpu buffer, bus address)
        self.chain: DescriptorChain | None = None
        self.completions: list[Completion] = []          # not yet taken by the consumer
        self._seen = 0           # completions processed (COMPLETED counter value)
        self._released = 0       # descriptors handed back
        self._running = False
        self._started = False    # a ring has run: the completion count follows the engine's
        self._seen_at_last_error = -1
        #: Called with each batch of new completions, synchronously, before anyone else can
        #: observe the new completion count.
        self.completion_hook = None

    # ------------------------------------------------------------------ probe and set-up
    async def probe(self) -> dict[str, int]:
        ident = await self.hw.read_reg(rm.REG["SGDMA_ID"].offset)
        if rm.REG["SGDMA_ID"].MAGIC.get(ident) != 0x5347:
            raise DriverError(f"no sgdma engine: SGDMA_ID reads {ident:#010x} (PG021 core without extensions?)")
        cfg = await self.hw.read_reg(rm.SGDMA_CONFIG.offset)
        c = rm.SGDMA_CONFIG
        self.config = {
            "data_bytes": 1 << c.DATA_BYTES_LOG2.get(cfg), "addr64": c.ADDR64.get(cfg),
            "max_burst": c.MAX_BURST_LEN.get(cfg), "len_width": c.LEN_WIDTH.get(cfg),
            "version": ident & 0xFFFF,
        }
        await self.soft_reset()
        return self.config

    async def soft_reset(self) -> None:
        await self.hw.write_reg(CR.offset, CR.RESET.put(1))
        for _ in range(10_000):
            if not CR.RESET.get(await self.hw.read_reg(CR.offset)):
                return
            await self.hw.sleep(10)
        raise DriverError("soft reset did not complete")

    def setup_ring(self, n_buffers: int, buf_size: int, owner: object = None) -> DescriptorChain:
        """Allocates n physically contiguous buffers and the descriptor chain over them.

        All or nothing: if memory runs out part-way, every buffer and descriptor allocated so
        far is freed again and the model is as before the call.  A second set-up while a ring
        exists is refused (as a Linux driver answers -EBUSY); ``teardown_ring`` frees the ring."""
        if not self.config:
            raise DriverError("setup_ring before probe")
        n_buffers = check_int("number of buffers", n_buffers, 1, None, DriverError, DriverError)
        if isinstance(buf_size, bool) or not isinstance(buf_size, int) or buf_size <= 0 or buf_size % 4096:
            raise DriverError(f"buffer size must be a positive multiple of 4096 bytes, got {buf_size!r}")
        if self.chain is not None:
            raise DriverError(f"setup_ring({n_buffers}, {buf_size}): a ring of {len(self.buffers)} x "
                              f"{self.buf_size} bytes is already set up (busy); teardown_ring() first")
        if self._started:
            raise DriverError("setup_ring after a ring has run: the engine's completion counter is "
                              "free-running, so use a new driver instance after a new probe")
        mark = self.dev.checkpoint()
        buffers: list[tuple[DmaBuffer, int]] = []
        try:
            self._allocate_buffers(buffers, n_buffers, buf_size, owner)
            # A ring in every mode: the last descriptor points back to the first. Tail mode
            # differs only in that the engine stops at TAILDESC.
            chain = DescriptorChain(self.dev, [(bus, buf_size) for _, bus in buffers],
                                    cyclic=True, len_width=self.config["len_width"])
        except BaseException:
            self.dev.roll_back(mark, [b for b, _ in buffers])
            raise
        self.buffers = buffers
        self.buf_size = buf_size
        self.chain = chain
        return chain

    def _allocate_buffers(self, buffers: list[tuple[DmaBuffer, int]], n: int, size: int, owner: object) -> None:
        """Fills ``buffers`` with the ring's buffers and their bus addresses, allocated in one
        bulk call (coherent, or kmalloc'ed and then mapped for streaming DMA); on an error,
        what it holds is what the caller must roll back."""
        try:
            if not self.streaming:
                buffers.extend(self.dev.dma_alloc_coherent_many(size, n, owner=owner))
                return
            bufs = self.dev.kmalloc_many(size, n, owner=owner)
        except OutOfMemoryError as e:
            raise OutOfMemoryError(f"ring of {n} x {size} bytes: buffer {e.index} does not fit ({e})") from e
        buffers.extend((buf, -1) for buf in bufs)
        for i, buf in enumerate(bufs):
            buffers[i] = (buf, self.dev.dma_map_single(buf, 0, size, DmaDirection.FROM_DEVICE))

    def teardown_ring(self) -> None:
        """Frees the ring (the file's release): descriptors, then the buffers' mappings and
        memory.  The engine must be stopped first."""
        if self._running:
            raise DriverError("teardown_ring while the engine runs; stop() first")
        if self.chain is None:
            raise DriverError("teardown_ring without a ring")
        self.chain.destroy()
        for buf, bus in self.buffers:
            if self.streaming:
                self.dev.dma_unmap_single(bus, self.buf_size, DmaDirection.FROM_DEVICE)
                self.dev.kfree(buf)
            else:
                self.dev.dma_free_coherent(buf, bus)
        self.chain = None
        self.buffers = []
        self.completions.clear()

    @property
    def ring_size(self) -> int:
        return self.chain.ring_size if self.chain else 0

    async def _write_addr(self, name: str, addr: int) -> None:
        # Low word first, then _MSB, as Linux lo_hi_writeq and xaxidma do: with 64-bit
        # addresses the _MSB write of TAILDESC is the doorbell.
        addr64 = self.config.get("addr64")
        if not addr64 and addr >> 32:
            raise DriverError(f"{name} {addr:#x} does not fit a 32-bit engine")
        await self.hw.write_reg(_ADDR_REGS[name], addr & 0xFFFFFFFF)
        if addr64:
            await self.hw.write_reg(_ADDR_REGS[name + "_MSB"], addr >> 32)

    async def start(self) -> None:
        if self.chain is None:
            raise DriverError("start before setup_ring")
        await self._arm(0)
        self._running = True
        self._started = True

    async def _arm(self, first: int) -> None:
        chain = self.chain
        await self._write_addr("S2MM_CURDESC", chain.descs.bus[first])
        xctrl = XC.POLICY_DROP.put(self.policy.value) | XC.OVR_IRQ_EN.put(1)
        if self.mode is Mode.OWNED:
            xctrl |= XC.OWNERSHIP.put(1)
        if self.position_writeback:
            xctrl |= XC.POS_WRITEBACK.put(1)
        await self.hw.write_reg(XC.offset, xctrl)
        ctrl = (CR.RS.put(1) | CR.IOC_IRQ_EN.put(1) | CR.DLY_IRQ_EN.put(1) | CR.ERR_IRQ_EN.put(1)
                | CR.CYCLIC_BD_EN.put(int(self.mode is not Mode.TAIL))
                | CR.IRQ_THRESHOLD.put(self.irq_threshold) | CR.IRQ_DELAY.put(self.irq_delay))
        await self.hw.write_reg(CR.offset, ctrl)
        if self.mode is Mode.TAIL:
            # Completion number s may be used once s - n was released: the tail is the
            # descriptor of completion number released + n - 1.
            tail = (self._released - 1) % len(chain)
            await self._write_addr("S2MM_TAILDESC", chain.descs.bus[tail])
        else:
            await self._write_addr("S2MM_TAILDESC", chain.outside)

    async def stop(self) -> None:
        self._running = False
        await self.hw.write_reg(CR.offset, 0)

    # ------------------------------------------------------------------ interrupt service
    async def read_counter(self, name: str) -> int:
        return await read_counter(self.hw, name)

    @property
    def running(self) -> bool:
        """Between start() and stop() (or a recovery that gave up)."""
        return self._running

    def interrupt_service(self, latency: Callable[[], int] | None = None,
                          on_interrupt: Callable[[int], None] | None = None) -> InterruptService:
        """The interrupt service routine with this driver's service() as its handler."""
        return InterruptService(self.hw, self.service, latency=latency, on_interrupt=on_interrupt)

    async def irq_loop(self, latency: Callable[[], int] | None = None,
                       on_interrupt: Callable[[int], None] | None = None) -> InterruptService:
        """Services interrupts until stop() (see isr.InterruptService); returns the service,
        which holds each interrupt's latency."""
        isr = self.interrupt_service(latency, on_interrupt)
        await isr.run(lambda: self._running)
        return isr

    async def service(self) -> list[Completion]:
        """One interrupt: acknowledge, then take every new completion and drop statistics."""
        self.stats.interrupts += 1
        sr = await acknowledge(self.hw)
        xs = await self.hw.read_reg(XS.offset)
        if xs & _XS_OVR_MASK:
            await self.hw.write_reg(XS.offset, _XS_OVR.mask)
        new = await self._take_completions()
        await self._update_drops()
        if sr & _SR_ERRORS:
            await self._recover(sr)
        return new

    async def poll(self) -> list[Completion]:
        """Completion processing without an interrupt (NAPI-style polling)."""
        new = await self._take_completions()
        await self._update_drops()
        return new

    async def _take_completions(self) -> list[Completion]:
        done = await read_counter(self.hw, "COMPLETED")
        new: list[Completion] = []
        if done - self._seen > len(self.chain) and self.mode is Mode.CYCLIC:
            self._lapped(done, new)
        if self._seen < done:
            self._collect(done, new)
        self.completions.extend(new)
        if self.completion_hook is not None and new:
            self.completion_hook(new)
        return new

    def _lapped(self, done: int, new: list[Completion]) -> None:
        """The engine lapped the driver: the oldest completions were overwritten."""
        self.stats.overrun_events += 1
        n, caps = len(self.chain), self.chain.descs.lengths
        for seq in range(self._seen, done - n):
            cap = caps[seq % n]
            new.append(Completion(seq % n, seq, cap, cap, False, False, lapped=True, stream_pos=self._next_pos))
            self._next_pos += cap
        self._seen = done - n

    def _collect(self, done: int, new: list[Completion]) -> None:
        """Completions ``_seen`` .. ``done - 1`` from their descriptors' STATUS (and APP0) words,
        read in one call; what was taken before a descriptor without Cmplt stays taken."""
        chain, n, wb = self.chain, len(self.chain), self.position_writeback
        first, seq, pos = self._seen % n, self._seen, self._next_pos
        statuses, app0s = chain.statuses(first, done - seq, app0=wb)
        caps, i = chain.descs.lengths, first
        nbytes = gaps = 0
        streaming, append = self.streaming, new.append
        try:
            for k, st in enumerate(statuses):
                if not st & _CMPLT_MASK:
                    raise DriverError(f"COMPLETED says {done} but descriptor {i} has no Cmplt (STATUS {st:#x})")
                length = (st >> _LENGTH_LSB) & _LENGTH_MAX
                if wb:
                    # APP0 holds the low 32 bits of the buffer's stream position; extend it from
                    # where the previous buffer ended. Any difference is bytes lost in between.
                    at = pos + ((app0s[k] - pos) & 0xFFFFFFFF)
                    c = Completion(i, seq, length, caps[i], bool(st & _RXSOF_MASK), bool(st & _RXEOF_MASK),
                                   False, at, at - pos)
                    gaps += at - pos
                    pos = at + length
                else:
                    c = Completion(i, seq, length, caps[i], bool(st & _RXSOF_MASK), bool(st & _RXEOF_MASK))
                if streaming:
                    self.dev.dma_sync_single_for_cpu(self.buffers[chain.descs.buf_index[i]][1], self.buf_size,
                                                     DmaDirection.FROM_DEVICE)
                append(c)
                nbytes += length
                seq += 1
                i = i + 1 if i + 1 < n else 0
        finally:
            taken = seq - self._seen
            if self.mode is Mode.CYCLIC and taken:
                chain.clear_statuses(first, taken)   # nothing to hand back; the next lap's Cmplt shows
            st_ = self.stats
            st_.completions += taken
            st_.bytes += nbytes
            st_.gap_bytes += gaps
            self._seen, self._next_pos = seq, pos

    async def _update_drops(self) -> None:
        db = await read_counter(self.hw, "DROPPED_BYTES")
        dp = await read_counter(self.hw, "DROPPED_PACKETS")
        if db > self.stats.engine_dropped_bytes:
            self.stats.overrun_events += 1
        self.stats.engine_dropped_bytes, self.stats.engine_dropped_packets = db, dp

    @property
    def stream_position(self) -> int:
        """Where the stream stands after the last completed buffer (position write-back)."""
        return self._next_pos

    @property
    def completed(self) -> int:
        """Descriptors completed so far (free-running)."""
        return self._seen

    @property
    def released(self) -> int:
        """Completions handed back to the engine so far."""
        return self._released

    # ------------------------------------------------------------------ release
    async def release(self, upto_seq: int) -> None:
        """Hands every descriptor with completion number < upto_seq back to the engine."""
        upto_seq = check_int("release: completion number", upto_seq, 0, None, DriverError, DriverError)
        if self.chain is None:
            raise DriverError("release before setup_ring")
        if upto_seq > self._seen:
            raise DriverError(f"release up to completion {upto_seq}, but only {self._seen} completed")
        if upto_seq <= self._released:
            return
        chain, n = self.chain, len(self.chain)
        first, count = self._released % n, upto_seq - self._released
        if self.streaming:
            for seq in range(self._released, upto_seq):
                self.dev.dma_sync_single_for_device(self.buffers[chain.descs.buf_index[seq % n]][1],
                                                    self.buf_size, DmaDirection.FROM_DEVICE)
        if self.mode is not Mode.CYCLIC:
            chain.clear_statuses(first, count)
        self._released = upto_seq
        if self.mode is Mode.TAIL:
            await self._write_addr("S2MM_TAILDESC", chain.descs.bus[(upto_seq - 1) % n])
        elif self.mode is Mode.OWNED:
            await self._write_addr("S2MM_TAILDESC", chain.outside)   # doorbell

    # ------------------------------------------------------------------ errors
    async def _recover(self, sr: int) -> None:
        bits = [f.name for f in rm.DMASR_ERROR_BITS if f.get(sr)]
        cur = await self.hw.read_reg(rm.REG["S2MM_CURDESC"].offset)
        if self.config.get("addr64"):
            cur |= await self.hw.read_reg(rm.REG["S2MM_CURDESC_MSB"].offset) << 32
        chain = self.chain
        idx = chain.index_of(cur)
        if idx is None:
            raise DriverError(f"engine error {bits} at CURDESC {cur:#x}, not a descriptor of this ring")
        st = chain.status(idx)
        lost = rm.STATUS.LENGTH.get(st) if any(b.get(st) for b in rm.STATUS_ERROR_BITS) else 0
        report = ErrorReport(bits, idx, cur, st, lost)
        repeated = bool(self.stats.errors) and self.stats.errors[-1].desc_index == idx and \
            self.stats.errors[-1].bits == bits and self._seen == self._seen_at_last_error
        self.stats.errors.append(report)
        self._seen_at_last_error = self._seen
        if repeated:
            self._running = False
            raise DriverError(f"descriptor {idx} (bus {cur:#x}) faults again after recovery with {bits}; "
                              "giving up (is its buffer mapped for the device?)")
        await self.soft_reset()
        # Re-arm from the faulting descriptor: it is retried with new data; completions and
        # the ring position carry on from there.
        chain.clear_status(idx)
        expected = self._seen % len(chain)
        if idx != expected:
            raise DriverError(f"fault at descriptor {idx} but the next to complete is {expected}")
        await self._arm(idx)
