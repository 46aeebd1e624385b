/* sgdma_platform.h - the platform a C driver runs on when `sgdma-sim c-driver` co-simulates it
 * against rtl/sgdma.v (under cocotb) or the fast model.
 *
 * The runner compiles the driver's sources together with sgdma_platform.c into a shared
 * library, loads it into the simulator's process and calls the entry function (default
 * `int run_test(void)`, 0 = success) in a thread of its own.  Every function below that talks
 * to the engine blocks that thread while the simulation runs; simulated time passes only inside
 * these calls.  C code between two calls takes no simulated time.
 *
 * Guarantees
 * - Registers: 32-bit accesses at byte offsets of the engine's AXI4-Lite slave (offsets from
 *   the generated sw/include/sgdma.h, never typed by hand).  Accesses are performed one at a
 *   time, in program order, each complete (its AXI-Lite response seen) when the call returns.
 * - DMA memory: one region of simulated RAM, physically contiguous, at bus address
 *   sgdma_mem_base() .. + sgdma_mem_size().  It is mapped into this process at the same
 *   virtual address (CPU pointer == bus address, as on a bare-metal system with a flat MMU
 *   map), and it is the very memory the engine's AXI masters write: no copy in either
 *   direction.  An engine access outside the region is refused with SLVERR (the engine
 *   reports a DMA or SG slave error and halts) and the runner names the access.
 * - Caches: the memory is non-coherent by contract.  sgdma_cache_flush() must follow CPU
 *   writes the engine is to read (descriptors), sgdma_cache_invalidate() must come between an
 *   engine write and the CPU's use of it (STATUS, received data).  Each call advances
 *   simulated time by the runner's --cache-cycles.  The runner checks the contract at cache
 *   line granularity (64 bytes): the engine reading bytes the CPU changed after its last
 *   flush of them, and the CPU handing over (sgdma_sim_receive) bytes the engine wrote after
 *   the CPU's last invalidate of them, each fail the run with the address and the clock.
 * - Addressing: bus addresses are 64-bit values; with the default 32-bit engine the region
 *   must lie below 4 GiB (the default base is 0x80000000).
 * - Interrupts: the engine's s2mm_introut line.  sgdma_irq_wait() returns when it is high;
 *   a handler connected with sgdma_irq_connect() runs in the driver's thread once per rising
 *   edge, before the platform call during which the edge happened returns (as an interrupt
 *   is taken after a bus access).  It does not nest.
 */
#ifndef SGDMA_PLATFORM_H
#define SGDMA_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- registers ------------------------------------------------------------------------- */
/* 32-bit register read / write at byte `offset` of the engine's register window. */
uint32_t sgdma_reg_read32(uint32_t offset);
void sgdma_reg_write32(uint32_t offset, uint32_t value);
/* CPU address of the register window (--reg-base; Xil_In32/Xil_Out32 at base + offset reach
 * the registers) and its size in bytes. */
uintptr_t sgdma_reg_base(void);
size_t sgdma_reg_size(void);

/* ---- DMA memory ------------------------------------------------------------------------ */
typedef struct {
    void *cpu;      /* CPU pointer */
    uint64_t bus;   /* the address the engine uses (equal to the CPU pointer's value) */
    size_t size;
} sgdma_dma_buf_t;

/* `size` bytes of physically contiguous DMA memory aligned to `align` (a power of two, at
 * least 64), zeroed, from the region's bottom up.  Returns 0, or -1 when it does not fit. */
int sgdma_dma_alloc(size_t size, size_t align, sgdma_dma_buf_t *out);
/* The region: bus address, size. */
uint64_t sgdma_mem_base(void);
size_t sgdma_mem_size(void);
/* Bus address of a CPU pointer into the region, or UINT64_MAX when it is outside. */
uint64_t sgdma_dma_bus_addr(const void *cpu);
/* CPU pointer of a bus address in the region, or NULL. */
void *sgdma_dma_cpu_ptr(uint64_t bus);

/* ---- caches ---------------------------------------------------------------------------- */
/* Write back / discard the CPU's cached copy of [cpu, cpu + len) (whole 64-byte lines).
 * Ranges outside the DMA region only cost the time. */
void sgdma_cache_flush(const volatile void *cpu, size_t len);
void sgdma_cache_invalidate(const volatile void *cpu, size_t len);

/* ---- time ------------------------------------------------------------------------------ */
/* Let `us` microseconds (or `cycles` engine clocks) of simulated time pass. */
void sgdma_delay_us(uint64_t us);
void sgdma_delay_cycles(uint64_t cycles);
/* The engine clock: cycles since the start of the simulation, and its frequency. */
uint64_t sgdma_now_cycles(void);
uint32_t sgdma_clock_mhz(void);

/* ---- interrupts ------------------------------------------------------------------------ */
/* Wait until the interrupt line is high or `timeout_us` microseconds pass (0: until the
 * runner's --max-cycles).  Returns 1 if the line is high, 0 on timeout. */
int sgdma_irq_wait(uint64_t timeout_us);
/* The line's level now (no time passes). */
int sgdma_irq_level(void);
typedef void (*sgdma_irq_handler_t)(void *arg);
/* Connect (or with NULL disconnect) the interrupt handler; see "Interrupts" above. */
void sgdma_irq_connect(sgdma_irq_handler_t handler, void *arg);
/* Wait for the next interrupt like a bare-metal `wfi`: time passes until a rising edge (the
 * connected handler then runs) or `timeout_us` (0: --max-cycles).  Returns 1 on an edge. */
int sgdma_wait_for_interrupt(uint64_t timeout_us);

/* ---- the test's side: the scenario ----------------------------------------------------- */
/* Bytes the device will stream in total (--stream-bytes) and the packet size (tlast every
 * that many bytes; 0: one packet). */
uint64_t sgdma_sim_stream_bytes(void);
uint64_t sgdma_sim_packet_bytes(void);
/* Hand `len` received bytes at `cpu` (DMA memory) to the runner, in stream order: it checks
 * every byte against the device's stream and the cache contract for them. */
void sgdma_sim_receive(const volatile void *cpu, size_t len);
/* Record a named figure for the report (e.g. "reaped"), a log line, or a failure (the run
 * fails with this message; the driver goes on). */
void sgdma_sim_result(const char *name, uint64_t value);
void sgdma_sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sgdma_sim_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the driver now (the entry returns `code` as if it had returned it). */
void sgdma_sim_exit(int code) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* SGDMA_PLATFORM_H */
