"""C driver co-simulation: a driver written in C, unmodified, against the engine.

``sgdma-sim c-driver --sources drv.c test.c --entry run_test --backend model|rtl`` compiles
the sources with gcc into a shared library together with the platform (``sim/c``: the API of
``sgdma_platform.h`` and the standalone BSP adapters in ``sim/c/bsp``), loads it with ctypes
and runs the entry function in a thread.  Each platform call of the C code is a callback
into this module, which performs it on the simulation and blocks the C thread meanwhile: on
the fast model by running the model's scheduler for it (``ModelHost``), on the RTL through
cocotb's ``resume`` (``sgdma_verif.cdriver_tb``).  The device streams the scenario's bytes
from the first write that sets DMACR.RS; every byte the C code hands back with
``sgdma_sim_receive`` is checked against the stream, and ``BusMemory`` checks the cache
contract (flush before the engine reads, invalidate before the CPU uses what it wrote).
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Coroutine, Protocol

import numpy as np

from sgdma_driver import regmap as rm
from sgdma_driver.physmem import PhysicalMemory
from .acquisition import AdcStream, adc_bytes, count_mismatches
from .errors import SimulationError

C_DIR = Path(__file__).resolve().parent.parent / "c"
BSP_DIR = C_DIR / "bsp"
REPO = C_DIR.parent.parent
SW_INCLUDE = REPO / "sw" / "include"
PLATFORM_SOURCES = (C_DIR / "sgdma_platform.c", C_DIR / "sgdma_uio.c", BSP_DIR / "xil_bsp.c")
LINE = 64                       # cache line, bytes
DESC_FETCH = rm.DESC_OFFSETS["status"] + 4   # the bytes of a descriptor the engine reads (NXTDESC .. STATUS)
REG_WINDOW = 0x10000            # the engine's AXI4-Lite window (PG021: 64 KiB)
MAX_FINDINGS = 20               # findings of one kind kept in the report (the rest counted)
SHOWN_FINDINGS = 3              # of which the problems list shows the first
OUTCOMES = {0: "returned", 1: "crashed", 2: "aborted", 3: "exited", 4: "stuck"}


class SettingError(ValueError):
    """A C driver setting with a value the run cannot take (names the setting and the value)."""

    def __init__(self, name: str, value: object, reason: str):
        self.name, self.value, self.reason = name, value, reason
        super().__init__(f"{name} {value} {reason}")


class CompileError(SimulationError):
    """gcc refused the sources; ``output`` is what gcc printed."""

    def __init__(self, output: str, returncode: int):
        self.output, self.returncode = output, returncode
        super().__init__(f"gcc failed (exit {returncode}); its messages are above")


@dataclass
class CDriverConfig:
    """One C driver run: what to build, the scenario, the platform's parameters."""

    sources: list[str] = field(default_factory=list)
    entry: str = "run_test"
    backend: str = "model"
    sim: str = "icarus"
    cflags: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    stream_bytes: int = 64 * 1024
    packet_bytes: int = 0
    rate: float = 1.0
    mem_base: int = 0x8000_0000
    mem_size: int = 16 << 20
    reg_base: int = 0x4040_0000
    clock_mhz: int = 250
    cache_cycles: int = 16
    max_cycles: int = 10_000_000
    wall_timeout: float = 60.0       # seconds of C code without a platform call
    library: str = ""           # the compiled shared library (set by compile_driver)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> "CDriverConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ValueError(f"unknown C driver setting(s) {', '.join(unknown)}")
        return cls(**doc)

    def check(self) -> None:
        """Every rule on the values, before anything runs; ValueError naming the setting."""
        def bad(name: str, reason: str) -> SettingError:
            v = getattr(self, name)
            return SettingError(name, hex(v) if name in ("mem_base", "mem_size", "reg_base") else v, reason)
        if not self.sources:
            raise SettingError("sources", "", "is empty: give at least one C file")
        for s in self.sources:
            if not Path(s).is_file():
                raise SettingError("sources", s, "is not a file")
        if not self.entry.isidentifier():
            raise bad("entry", "is not a C identifier")
        if self.stream_bytes < 0 or self.stream_bytes % 16:
            raise bad("stream_bytes", "is not 0 (no stream) or a positive multiple of 16 bytes")
        if self.packet_bytes < 0 or self.packet_bytes % 16:
            raise bad("packet_bytes", "is not 0 or a positive multiple of 16 bytes")
        if not 0 < self.rate <= 1:
            raise bad("rate", "is outside (0, 1]")
        if self.mem_base % 4096 or self.mem_base <= 0 or self.mem_base + self.mem_size > 1 << 32:
            raise bad("mem_base", "must be a non-zero multiple of 4096 with the memory below 4 GiB (32-bit engine)")
        if self.mem_size <= 0 or self.mem_size % 4096 or self.mem_size > 1 << 30:
            raise bad("mem_size", "is not a multiple of 4096 in 4 KiB..1 GiB")
        if self.reg_base % REG_WINDOW or not 0 < self.reg_base < 1 << 32 or \
                self.mem_base < self.reg_base + REG_WINDOW and self.reg_base < self.mem_base + self.mem_size:
            raise bad("reg_base", f"must be a multiple of {REG_WINDOW:#x} below 4 GiB, not overlapping the memory")
        for name, lo in (("clock_mhz", 1), ("cache_cycles", 0), ("max_cycles", 1000)):
            if getattr(self, name) < lo:
                raise bad(name, f"is below {lo}")
        if not self.wall_timeout > 0:
            raise bad("wall_timeout", "is not positive")


# ------------------------------------------------------------------ building
def compile_driver(cfg: CDriverConfig, out_dir: Path) -> Path:
    """The sources and the platform as one shared library in ``out_dir``; CompileError with
    gcc's own messages when it fails.  --cflags and --include apply to the driver's sources,
    not to the platform's."""
    gcc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("gcc")
    if gcc is None:
        raise SimulationError("gcc is not installed (apt-get install gcc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}_{time.monotonic_ns()}"
    base = [gcc, "-std=gnu11", "-g", "-O1", "-fPIC", "-Wall", f"-I{C_DIR}", f"-I{BSP_DIR}", f"-I{SW_INCLUDE}",
            f"-DSGDMA_SIM_REG_BASE={cfg.reg_base:#x}", f"-DSGDMA_SIM_MEM_BASE={cfg.mem_base:#x}",
            f"-DSGDMA_SIM_MEM_SIZE={cfg.mem_size:#x}"]
    user = [*[f"-I{Path(i).resolve()}" for i in cfg.include], *cfg.cflags]
    objs, messages = [], []
    for i, src in enumerate([*map(Path, cfg.sources), *PLATFORM_SOURCES]):
        obj = out_dir / f"{src.stem}_{i}_{tag}.o"
        flags = base + (user if i < len(cfg.sources) else [])
        messages.append(_gcc([*flags, "-c", str(src), "-o", str(obj)]))
        objs.append(str(obj))
    lib = out_dir / f"libcdriver_{tag}.so"
    messages.append(_gcc([gcc, "-shared", "-Wl,-Bsymbolic", *objs, "-o", str(lib), "-ldl", "-lpthread"]))
    for obj in objs:
        Path(obj).unlink(missing_ok=True)
    text = "".join(messages)
    if text:                              # warnings: shown as gcc printed them
        print(text, end="", file=sys.stderr, flush=True)
    cfg.library = str(lib)
    return lib


def _gcc(cmd: list[str]) -> str:
    """Runs one gcc command; its messages, or CompileError with them."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise CompileError(proc.stderr + proc.stdout, proc.returncode)
    return proc.stderr


# ------------------------------------------------------------------ memory and its checks
class BusMemory:
    """The engine's view of the simulated RAM (bus address == physical address) with the
    checks of the cache contract.  ``shadow`` is what memory holds as far as the engine may
    rely on it: what the CPU last flushed and what the engine wrote; per 64-byte line, the
    sequence number and clock of the engine's last write and of the CPU's last invalidate."""

    def __init__(self, mem: PhysicalMemory, now: Callable[[], int]):
        self.mem = mem
        self.now = now
        self.shadow = mem.array.copy()
        lines = mem.size // LINE
        self.dev_seq = np.zeros(lines, dtype=np.int64)
        self.dev_cycle = np.zeros(lines, dtype=np.int64)
        self.inv_seq = np.zeros(lines, dtype=np.int64)
        self.flush_cycle = np.full(lines, -1, dtype=np.int64)
        self.seq = 1
        self.coherent = False       # the UIO flow with O_SYNC: memory mapped uncached, nothing to check
        self.findings: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}

    def finding(self, kind: str, text: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.findings.setdefault(kind, [])
        if len(kept) < MAX_FINDINGS:
            kept.append(text)

    def _off(self, addr: int, n: int, what: str) -> int:
        mem = self.mem
        if addr < mem.base or addr + n > mem.base + mem.size:
            self.finding("outside memory", f"the engine {what} {n} bytes at bus {addr:#x}, outside the simulated "
                         f"memory [{mem.base:#x}, {mem.base + mem.size:#x}): refused with SLVERR (cycle {self.now()})")
            raise ValueError(f"bus address {addr:#x}+{n} is outside the simulated memory")
        return addr - mem.base

    def _lines(self, off: int, n: int) -> slice:
        return slice(off // LINE, (off + max(n, 1) - 1) // LINE + 1)

    # the engine's accesses (the AXI memory models and the fast model call these)
    def read_sync(self, addr: int, n: int) -> bytes:
        off = self._off(addr, n, "read")
        cur = self.mem.array[off:off + n]
        diff = np.flatnonzero(cur != self.shadow[off:off + n]) if not self.coherent else ()
        if len(diff):
            at = addr + int(diff[0])
            line = (at - self.mem.base) // LINE
            last = int(self.flush_cycle[line])
            self.finding("forgotten flush", f"the engine read {n} bytes at bus {addr:#x}"
                         f"{' (a descriptor)' if n <= LINE and not addr % LINE else ''} at cycle {self.now()}, and "
                         f"{len(diff)} of them (from {at:#x} on) were written by the CPU after its last cache flush "
                         f"of line {self.mem.base + line * LINE:#x} ("
                         f"{'never flushed' if last < 0 else f'flushed at cycle {last}'}): call "
                         "Xil_DCacheFlushRange / sgdma_cache_flush after writing what the engine reads")
        if n >= 4 and not addr % rm.DESC_ALIGN and n <= DESC_FETCH:   # (S2MM: the engine reads only descriptors)
            self._check_link(addr, cur)
        return cur.tobytes()

    def _check_link(self, addr: int, words: np.ndarray) -> None:
        """A descriptor fetch (the engine reads its first 32 bytes): NXTDESC must be aligned."""
        at = rm.DESC_OFFSETS["nxtdesc"]
        nxt = int.from_bytes(words[at:at + 4].tobytes(), "little")
        if nxt % rm.DESC_ALIGN:
            self.finding("descriptor alignment", f"the descriptor at bus {addr:#x} links to NXTDESC {nxt:#010x} "
                         f"(fetched at cycle {self.now()}): descriptors must be {rm.DESC_ALIGN}-byte aligned (the "
                         f"engine ignores the low bits and fetches {nxt & ~(rm.DESC_ALIGN - 1):#010x})")

    def probe_write(self, addr: int, n: int) -> None:
        """Whether a write of ``n`` bytes at ``addr`` would be accepted (ValueError if not)."""
        self._off(addr, n, "wrote")

    def write_sync(self, addr: int, data: bytes) -> None:
        n = len(data)
        off = self._off(addr, n, "wrote")
        arr = np.frombuffer(bytes(data), dtype=np.uint8)
        self.mem.array[off:off + n] = arr
        self.shadow[off:off + n] = arr
        ls = self._lines(off, n)
        self.dev_seq[ls] = self.seq
        self.dev_cycle[ls] = self.now()
        self.seq += 1

    async def read(self, address: int, length: int) -> bytes:
        return self.read_sync(address, length)

    async def write(self, address: int, data: bytes) -> None:
        self.write_sync(address, data)

    # the CPU's cache maintenance and its hand-over of received bytes
    def _cpu_range(self, addr: int, n: int) -> tuple[int, int] | None:
        """[off, end) of the lines covering the CPU range inside the memory, or None."""
        lo, hi = max(addr, self.mem.base), min(addr + n, self.mem.base + self.mem.size)
        if hi <= lo:
            return None
        off = (lo - self.mem.base) // LINE * LINE
        return off, -(-(hi - self.mem.base) // LINE) * LINE

    def flush(self, addr: int, n: int) -> None:
        r = self._cpu_range(addr, n)
        if r:
            self.shadow[r[0]:r[1]] = self.mem.array[r[0]:r[1]]
            self.flush_cycle[r[0] // LINE:r[1] // LINE] = self.now()

    def invalidate(self, addr: int, n: int) -> None:
        r = self._cpu_range(addr, n)
        if r:
            # discarding the CPU's copy: memory stays what the engine may rely on
            self.inv_seq[r[0] // LINE:r[1] // LINE] = self.seq
            self.seq += 1

    def check_received(self, addr: int, n: int) -> bool:
        """The CPU hands over [addr, addr+n): every line the engine wrote must have been
        invalidated since.  False (with a finding) if not."""
        ls = self._lines(addr - self.mem.base, n)
        stale = np.flatnonzero(self.dev_seq[ls] > self.inv_seq[ls])
        if not stale.size or self.coherent:
            return True
        line = ls.start + int(stale[0])
        self.finding("forgotten invalidate", f"the driver handed over {n} bytes at {addr:#x} at cycle {self.now()}, "
                     f"but the engine wrote line {self.mem.base + line * LINE:#x} at cycle "
                     f"{int(self.dev_cycle[line])} and the CPU did not invalidate it after that ({stale.size} such "
                     "lines): on hardware the CPU would read stale cached data; call Xil_DCacheInvalidateRange / "
                     "sgdma_cache_invalidate before reading what the engine wrote")
        return False


# ------------------------------------------------------------------ the ctypes side
_REG_READ = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_uint32)
_REG_WRITE = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32)
_CACHE = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64)
_DELAY = ctypes.CFUNCTYPE(None, ctypes.c_uint64)
_IRQ_WAIT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_int)
_NOW = ctypes.CFUNCTYPE(ctypes.c_uint64)
_RECEIVE = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64)
_MESSAGE = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p)
_RESULT = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_uint64)


class _Callbacks(ctypes.Structure):
    _fields_ = [("reg_read", _REG_READ), ("reg_write", _REG_WRITE), ("cache", _CACHE), ("delay", _DELAY),
                ("irq_wait", _IRQ_WAIT), ("now", _NOW), ("receive", _RECEIVE), ("message", _MESSAGE),
                ("result", _RESULT)]


class _Config(ctypes.Structure):
    _fields_ = [("reg_base", ctypes.c_uint64), ("reg_size", ctypes.c_uint64), ("mem_base", ctypes.c_uint64),
                ("mem_size", ctypes.c_uint64), ("stream_bytes", ctypes.c_uint64),
                ("packet_bytes", ctypes.c_uint64), ("clock_mhz", ctypes.c_uint32)]


class _Crash(ctypes.Structure):
    _fields_ = [("sig", ctypes.c_int), ("code", ctypes.c_int), ("is_write", ctypes.c_int),
                ("addr", ctypes.c_uint64), ("pc", ctypes.c_uint64), ("sym_addr", ctypes.c_uint64),
                ("lib_base", ctypes.c_uint64), ("sym", ctypes.c_char * 128), ("lib", ctypes.c_char * 256)]


class Host(Protocol):
    """What a backend gives the session: run a coroutine to its end from the C thread, the
    HwInterface, the interrupt line and its rising edges, a bounded wait for it, and the start
    of the device's stream."""

    hw: Any

    def call(self, coro: Coroutine) -> Any: ...
    def line(self) -> bool: ...
    def edges(self) -> int: ...
    async def wait_line(self, cycles: int, edge_after: int | None) -> bool: ...
    def start_stream(self, packets: list, rate: float) -> None: ...
    def stream_done(self) -> bool: ...


class _Abort(Exception):
    """Ends the driver: raised inside a callback, turned into the C side's abort flag."""


class CSession:
    """One run of the C entry function on a host; ``run_entry`` is the blocking function the
    C thread runs, ``report`` the result."""

    def __init__(self, cfg: CDriverConfig, bus: BusMemory, host: Host, backend_name: str, simulator: str):
        self.cfg, self.bus, self.host = cfg, bus, host
        self.backend, self.simulator = backend_name, simulator
        self.lib = load_library(cfg.library)
        self.rx_pos = 0
        self.data_errors = 0
        self.first_error: str | None = None
        self.digest = hashlib.sha256()
        self.messages: list[str] = []
        self.failures: list[str] = []
        self.results: dict[str, int] = {}
        self.streaming = False
        self.abort_reason: str | None = None
        self._busy = 0                     # callbacks in progress
        self._last = time.monotonic()      # the last callback's start or end
        self._cb = self._callbacks()
        self._abort = ctypes.c_int.in_dll(self.lib, "sgdma_rt_abort_flag")
        self._edges = ctypes.c_uint64.in_dll(self.lib, "sgdma_rt_irq_edges")
        self._line = ctypes.c_int.in_dll(self.lib, "sgdma_rt_irq_line")

    # -- callbacks: each performs one platform call, then publishes the interrupt state
    def _guard(self, fn: Callable, default: Any = None) -> Callable:
        def wrapped(*args):
            self._busy += 1
            try:
                if self.host.hw.now() > self.cfg.max_cycles:
                    raise _Abort(f"simulated time passed --max-cycles {self.cfg.max_cycles} before the entry "
                                 "function returned")
                value = fn(*args)
            except _Abort as e:
                self._stop(str(e))
                return default
            except BaseException as e:  # noqa: BLE001 - a C thread cannot take a Python exception
                self._stop(f"the simulation failed: {type(e).__name__}: {e}")
                return default
            finally:
                self._busy -= 1
                self._last = time.monotonic()
            self._edges.value, self._line.value = self.host.edges(), int(self.host.line())
            return value
        return wrapped

    def _watchdog(self, done: threading.Event) -> None:
        """Stops C code that has run for --wall-timeout seconds without a platform call (no
        simulated time passes in it, so it would never end)."""
        limit = self.cfg.wall_timeout
        while not done.wait(min(0.2, limit / 4)):
            if not self._busy and time.monotonic() - self._last > limit:
                self.lib.sgdma_rt_interrupt()
                return

    def _stop(self, reason: str) -> None:
        if self.abort_reason is None:
            self.abort_reason = reason
        self._abort.value = 1

    def _callbacks(self) -> _Callbacks:
        g, host = self._guard, self.host
        return _Callbacks(
            reg_read=_REG_READ(g(self._reg_read, 0)), reg_write=_REG_WRITE(g(self._reg_write)),
            cache=_CACHE(g(self._cache)), delay=_DELAY(g(lambda n: host.call(host.hw.sleep(n)))),
            irq_wait=_IRQ_WAIT(g(self._irq_wait, 0)), now=_NOW(g(lambda: host.hw.now(), 0)),
            receive=_RECEIVE(g(self._receive)), message=_MESSAGE(g(self._message)),
            result=_RESULT(g(lambda name, v: self.results.__setitem__(name.decode(errors="replace"), v))))

    def _reg_read(self, off: int) -> int:
        return self.host.call(self.host.hw.read_reg(off)) & 0xFFFFFFFF

    def _reg_write(self, off: int, value: int) -> None:
        name = _REG_NAMES.get(off)
        if name in ("S2MM_CURDESC", "S2MM_TAILDESC") and value % rm.DESC_ALIGN:
            self.bus.finding("descriptor alignment", f"{name} written with {value:#010x} at cycle "
                             f"{self.host.hw.now()}: descriptors must be {rm.DESC_ALIGN}-byte aligned (the engine "
                             f"ignores the low bits and uses {value & ~(rm.DESC_ALIGN - 1):#010x})")
        self.host.call(self.host.hw.write_reg(off, value))
        if off == rm.S2MM_DMACR.offset and rm.S2MM_DMACR.RS.get(value) and not self.streaming \
                and self.cfg.stream_bytes:
            self.streaming = True
            self.host.start_stream(self._packets(), self.cfg.rate)

    def _packets(self) -> list:
        total, size = self.cfg.stream_bytes, self.cfg.packet_bytes
        if not size:
            return [AdcStream(total)]
        return [adc_bytes(p, min(size, total - p)).tobytes() for p in range(0, total, size)]

    def _cache(self, op: int, addr: int, n: int) -> None:
        (self.bus.invalidate if op else self.bus.flush)(addr, n)
        if self.cfg.cache_cycles:
            self.host.call(self.host.hw.sleep(self.cfg.cache_cycles))

    def _irq_wait(self, cycles: int, edge: int) -> int:
        left = self.cfg.max_cycles + 1 - self.host.hw.now()
        cycles = min(cycles, left) if cycles else left
        since = self._edges.value if edge else None
        return int(self.host.call(self.host.wait_line(max(1, cycles), since)))

    def _receive(self, addr: int, n: int) -> None:
        mem = self.bus.mem
        if addr < mem.base or addr + n > mem.base + mem.size:
            raise _Abort(f"sgdma_sim_receive({addr:#x}, {n}): the range is not in the DMA memory "
                         f"[{mem.base:#x}, {mem.base + mem.size:#x})")
        self.bus.check_received(addr, n)
        if self.rx_pos + n > self.cfg.stream_bytes:
            raise _Abort(f"sgdma_sim_receive: {self.rx_pos + n} bytes handed over, the device sent "
                         f"{self.cfg.stream_bytes}")
        data = mem.view(addr, n)
        bad = count_mismatches(data, self.rx_pos)
        if bad and self.first_error is None:
            expect = adc_bytes(self.rx_pos, n)
            i = int(np.flatnonzero(data != expect)[0])
            self.first_error = (f"stream byte {self.rx_pos + i} (at {addr + i:#x}) is {int(data[i]):#04x}, "
                                f"expected {int(expect[i]):#04x}")
        self.data_errors += bad
        self.digest.update(data.tobytes())
        self.rx_pos += n

    def _message(self, kind: int, text: bytes) -> None:
        s = text.decode(errors="replace")
        if kind == 0:
            self.messages.append(s)
        elif kind == 1:
            self.failures.append(s)
        elif kind == 4:
            self.bus.coherent = True
        else:
            raise _Abort(s)

    # -- the run
    def run_entry(self) -> dict[str, Any]:
        """Maps the memory, runs the entry function on this thread, unmaps; the report."""
        cfg, lib = self.cfg, self.lib
        try:
            entry = getattr(lib, cfg.entry)
        except AttributeError:
            raise SimulationError(f"--entry {cfg.entry}: no such function in the sources") from None
        lib.sgdma_rt_setup(ctypes.byref(self._cb), ctypes.byref(_Config(
            cfg.reg_base, REG_WINDOW, cfg.mem_base, cfg.mem_size, cfg.stream_bytes, cfg.packet_bytes, cfg.clock_mhz)))
        err = lib.sgdma_rt_map(self.bus.mem.fd, ctypes.c_uint64(cfg.mem_base), ctypes.c_uint64(cfg.mem_size))
        if err:
            raise SimulationError(f"--mem-base {cfg.mem_base:#x}: cannot map the DMA memory there "
                                  f"({os.strerror(err)}); choose another base")
        t0 = time.perf_counter()
        rc = ctypes.c_int(0)
        done = threading.Event()
        self._last = time.monotonic()
        threading.Thread(target=self._watchdog, args=(done,), name="c-driver-watchdog", daemon=True).start()
        try:
            how = lib.sgdma_rt_run(ctypes.cast(entry, ctypes.c_void_p), ctypes.byref(rc))
        finally:
            done.set()
            lib.sgdma_rt_unmap(ctypes.c_uint64(cfg.mem_base), ctypes.c_uint64(cfg.mem_size))
        wall = time.perf_counter() - t0
        return self._report(OUTCOMES.get(how, "aborted"), rc.value, wall)

    def _final_counters(self) -> dict[str, int]:
        """The engine's counters after the run (register reads; the C code has finished)."""
        out = {}
        if self.abort_reason and "simulation failed" in self.abort_reason:
            return out
        for name in ("COMPLETED", "BYTES_WRITTEN", "DROPPED_BYTES"):
            lo, _ = rm.COUNTER_OFFSETS[name]
            out[name.lower()] = self.host.call(self.host.hw.read_reg(lo))
        return out

    def _report(self, outcome: str, rc: int, wall: float) -> dict[str, Any]:
        cfg = self.cfg
        cycles = self.host.hw.now()
        problems: list[str] = []
        if outcome == "crashed":
            problems.append(describe_crash(_Crash.in_dll(self.lib, "sgdma_rt_crash"), cfg))
        elif outcome == "stuck":
            problems.append(f"the C code ran {cfg.wall_timeout:g} s of wall time without a platform call and was "
                            f"stopped {_where(_Crash.in_dll(self.lib, 'sgdma_rt_crash'))}: a polling loop must call "
                            "the platform (usleep, Xil_In32, a cache operation) for simulated time to pass")
        elif outcome == "aborted":
            problems.append(f"the driver was stopped: {self.abort_reason or 'no reason given'}")
        elif rc != 0:
            problems.append(f"{cfg.entry}() returned {rc}")
        problems += [f"the driver reported: {f}" for f in self.failures]
        for kind, texts in self.bus.findings.items():
            extra = self.bus.counts[kind] - SHOWN_FINDINGS
            problems += [f"{kind}: {t}" for t in texts[:SHOWN_FINDINGS]]
            if extra > 0:
                problems.append(f"{kind}: ... and {extra} more (report.json lists up to {MAX_FINDINGS})")
        if self.data_errors:
            problems.append(f"{self.data_errors} received bytes differ from the stream; first: {self.first_error}")
        if self.rx_pos != cfg.stream_bytes and outcome in ("returned", "exited"):
            problems.append(f"the driver handed over {self.rx_pos} of the {cfg.stream_bytes} bytes the device sent")
        counters = self._final_counters()
        return {"backend": self.backend, "simulator": self.simulator, "entry": cfg.entry, "outcome": outcome,
                "entry_rc": rc, "bytes": cfg.stream_bytes, "bytes_received": self.rx_pos,
                "data_errors": self.data_errors, "cycles": cycles, "interrupts": self.host.edges(),
                **counters, "rx_sha256": self.digest.hexdigest(), "results": dict(self.results),
                "log": self.messages, "problems": problems, "ok": not problems,
                "findings": {k: list(v) for k, v in self.bus.findings.items()},
                "finding_counts": dict(self.bus.counts),
                "c_wall_s": round(wall, 3)}


_REG_NAMES = {r.offset: name for name, r in rm.REG.items()}
_SIGNALS = {int(s): s.name for s in (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGABRT,
                                     signal.SIGTRAP)}


def describe_crash(c: _Crash, cfg: CDriverConfig) -> str:
    """One line: the signal, the faulting access, and where in the C code (file:line)."""
    sig = _SIGNALS.get(c.sig, f"signal {c.sig}")
    where = _where(c)
    if c.sig == signal.SIGABRT:
        return f"the C code aborted (SIGABRT, e.g. a failed assert()) {where}"
    access = {1: "write to", 0: "read of"}.get(c.is_write, "access to")
    addr = c.addr
    if addr < 4096:
        kind = "a NULL pointer" + (f" + {addr:#x}" if addr else "")
    elif cfg.reg_base <= addr < cfg.reg_base + REG_WINDOW:
        kind = (f"the register window (offset {addr - cfg.reg_base:#x}): registers are not memory, use Xil_In32/"
                "Xil_Out32 or sgdma_reg_read32/sgdma_reg_write32")
    elif cfg.mem_base + cfg.mem_size <= addr < cfg.mem_base + cfg.mem_size + (1 << 20):
        kind = f"{addr - cfg.mem_base - cfg.mem_size:#x} bytes past the end of the DMA memory"
    elif cfg.mem_base - (1 << 20) <= addr < cfg.mem_base:
        kind = f"{cfg.mem_base - addr:#x} bytes below the DMA memory"
    else:
        kind = "an unmapped address"
    if c.sig == signal.SIGFPE:
        return f"the C code crashed: SIGFPE (arithmetic error, e.g. division by zero) {where}"
    return f"the C code crashed: {sig}, {access} {addr:#x} ({kind}) {where}"


def _where(c: _Crash) -> str:
    sym = c.sym.decode(errors="replace")
    lib = c.lib.decode(errors="replace")
    place = f"at pc {c.pc:#x}"
    if sym:
        place = f"in {sym}+{c.pc - c.sym_addr:#x}"
    if lib and c.lib_base and shutil.which("addr2line"):
        out = subprocess.run(["addr2line", "-e", lib, "-i", f"{c.pc - c.lib_base:#x}"], capture_output=True, text=True)
        lines = [ln.split(" (discriminator")[0] for ln in out.stdout.split("\n") if ln and not ln.startswith("??")]
        if lines:
            place += f" ({lines[0]})"
    return place


# ------------------------------------------------------------------ the fast model
class ModelHost:
    """The fast model as a Host: a platform call runs the model's scheduler until the call's
    coroutine is done (the C thread drives the simulation directly)."""

    def __init__(self, backend):
        self.be = backend
        self.hw = backend.hw
        self.engine = backend.engine
        self._edges = 0
        backend.spawn(self._count_edges())

    async def _count_edges(self) -> None:
        while True:
            await self.engine.irq_event.wait()
            self._edges += 1

    def call(self, coro: Coroutine) -> Any:
        return self.be.run(coro)

    def line(self) -> bool:
        return bool(self.engine.introut)

    def edges(self) -> int:
        return self._edges

    async def wait_line(self, cycles: int, edge_after: int | None) -> bool:
        def ready() -> bool:
            return self._edges > edge_after if edge_after is not None else bool(self.engine.introut)
        if ready():
            return True
        s = self.be.sched
        wake = s.event()
        rose = [False]

        async def timer() -> None:
            await s.sleep(cycles)
            wake.set()

        async def rise() -> None:
            await self.engine.irq_event.wait()
            rose[0] = True
            wake.set()
        self.be.spawn(timer())
        self.be.spawn(rise())
        await wake.wait()
        return rose[0] or ready()

    def start_stream(self, packets: list, rate: float) -> None:
        self.be.spawn(self.be.send_packets(packets, rate))

    def stream_done(self) -> bool:
        return self.be.stream_done()


def run_on_model(cfg: CDriverConfig) -> dict[str, Any]:
    """One run on the fast model (the library compiled already)."""
    from .model import ModelBackend

    be = ModelBackend()
    mem = PhysicalMemory(cfg.mem_size, base=cfg.mem_base, name="sgdma-c-driver")
    bus = BusMemory(mem, lambda: be.sched.now)
    be.attach_memory(bus)
    host = ModelHost(be)
    session = CSession(cfg, bus, host, "model", "fast-model")
    try:
        return run_in_thread(session)
    finally:
        _unload(session.lib)
        mem.close()


def run_in_thread(session: CSession) -> dict[str, Any]:
    """``session.run_entry`` on a thread of its own."""
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["report"] = session.run_entry()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            result["error"] = e
    th = threading.Thread(target=work, name="c-driver", daemon=True)
    th.start()
    th.join()       # (C code stuck outside the platform is stopped by the session's watchdog)
    if "error" in result:
        raise result["error"]
    return result["report"]


_LIBDL = ctypes.CDLL(None)
_LIBDL.dlopen.restype = ctypes.c_void_p
_LIBDL.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
_LIBDL.dlclose.argtypes = [ctypes.c_void_p]
_HANDLES: dict[int, int] = {}        # id of a loaded library -> its dlopen handle


def load_library(path: str) -> ctypes.CDLL:
    """The compiled driver, loaded privately (RTLD_LOCAL: its BSP names, usleep among them,
    serve only itself); ``unload`` closes it again."""
    handle = _LIBDL.dlopen(path.encode(), os.RTLD_NOW | os.RTLD_LOCAL)
    if not handle:
        raise SimulationError(f"cannot load the compiled driver {path} (dlopen failed)")
    lib = ctypes.CDLL(path, handle=handle)
    _HANDLES[id(lib)] = handle
    return lib


def _unload(lib: ctypes.CDLL) -> None:
    """dlclose the library, so that a later run in this process starts with fresh statics."""
    handle = _HANDLES.pop(id(lib), None)
    if handle:
        _LIBDL.dlclose(handle)


def summary(rep: dict[str, Any]) -> str:
    """The run's summary, in the style of ``sgdma-sim run``."""
    lines = [f"C driver on {rep['simulator']} ({rep['backend']} backend): {'PASS' if rep['ok'] else 'FAIL'}",
             f"  entry {rep['entry']}(): {rep['outcome']}"
             + (f" {rep['entry_rc']}" if rep["outcome"] in ("returned", "exited") else ""),
             f"  bytes sent {rep['bytes']:,}, received and checked {rep['bytes_received']:,}, "
             f"data errors {rep['data_errors']}",
             f"  simulated {rep['cycles']:,} clocks, {rep['interrupts']} interrupts"
             + (f", engine completed {rep['completed']} descriptors, wrote {rep['bytes_written']:,} bytes, "
                f"dropped {rep['dropped_bytes']:,}" if "completed" in rep else ""),
             f"  wall time {rep.get('wall_s', rep['c_wall_s'])} s"]
    if rep["results"]:
        lines.append("  driver results: " + ", ".join(f"{k}={v}" for k, v in rep["results"].items()))
    lines += [f"  problem: {p}" for p in rep["problems"]]
    return "\n".join(lines)


def command_line(cfg: CDriverConfig) -> str:
    """The sgdma-sim command that repeats this run (for reports)."""
    return shlex.join(["sgdma-sim", "c-driver", "--sources", *cfg.sources, "--entry", cfg.entry,
                       "--backend", cfg.backend, "--sim", cfg.sim])
