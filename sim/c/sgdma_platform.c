/* sgdma_platform.c - the C side of `sgdma-sim c-driver`: the platform API of sgdma_platform.h
 * over callbacks into the simulation, the mapping of the DMA memory, and the trampoline that
 * runs the driver's entry function and turns a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT) or an abort of the run into a return with the faulting access recorded.
 *
 * The sgdma_rt_* names are the runner's (sgdma_sim.cdriver, through ctypes); a driver uses
 * only sgdma_platform.h and the adapters in bsp/.
 */
#define _GNU_SOURCE
#include "sgdma_platform.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* ---- what the runner provides ------------------------------------------------------------ */
typedef struct {
    uint32_t (*reg_read)(uint32_t offset);
    void (*reg_write)(uint32_t offset, uint32_t value);
    void (*cache)(int op, uint64_t addr, uint64_t len);     /* op 0 flush, 1 invalidate */
    void (*delay)(uint64_t cycles);
    int (*irq_wait)(uint64_t cycles, int edge);             /* 1: line high / edge seen */
    uint64_t (*now)(void);
    void (*receive)(uint64_t addr, uint64_t len);
    void (*message)(int kind, const char *text);            /* 0 log, 1 fail, 2 abort, 3 result */
    void (*result)(const char *name, uint64_t value);
} sgdma_rt_callbacks_t;

typedef struct {
    uint64_t reg_base, reg_size, mem_base, mem_size, stream_bytes, packet_bytes;
    uint32_t clock_mhz;
} sgdma_rt_config_t;

typedef struct {
    int sig, code, is_write;   /* is_write: 1 write, 0 read, -1 unknown */
    uint64_t addr, pc, sym_addr, lib_base;
    char sym[128], lib[256];
} sgdma_rt_crash_t;

enum { RT_RETURNED = 0, RT_CRASHED = 1, RT_ABORTED = 2, RT_EXITED = 3, RT_STUCK = 4 };
#define RT_WATCHDOG_SIG SIGUSR2

/* sgdma_uio.c: register accesses through the UIO register map */
int sgdma_uio_fault(siginfo_t *si, void *ucv);
int sgdma_uio_step(void *ucv);
void sgdma_uio_reset(void);

/* set by the runner inside a callback: the driver stops when the callback returns */
volatile int sgdma_rt_abort_flag;
/* rising edges of the interrupt line so far and the level, kept current by the runner */
volatile uint64_t sgdma_rt_irq_edges;
volatile int sgdma_rt_irq_line;
sgdma_rt_crash_t sgdma_rt_crash;

static sgdma_rt_callbacks_t cb;
static volatile int rt_in_cb;           /* a callback into the runner is in progress */
/* Every callback goes through these: while one is in progress the watchdog's signal does not
 * jump out of it but asks for an abort when it returns. */
#define CB_VOID(call) do { rt_in_cb++; cb.call; rt_in_cb--; } while (0)
#define CB_VALUE(type, call) __extension__({ rt_in_cb++; type v_ = cb.call; rt_in_cb--; v_; })
static sgdma_rt_config_t cfg;
static uint64_t alloc_next;
static sgdma_irq_handler_t irq_handler;
static void *irq_arg;
static uint64_t irq_seen;
static int in_handler;
static volatile int rt_active;          /* the driver's code is running on rt_thread */
static pthread_t rt_thread;
static sigjmp_buf rt_jmp;
static int exit_code;
static const int fault_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, RT_WATCHDOG_SIG};
#define NSIGS ((int)(sizeof fault_sigs / sizeof fault_sigs[0]))
static struct sigaction old_act[NSIGS];

void sgdma_rt_setup(const sgdma_rt_callbacks_t *callbacks, const sgdma_rt_config_t *config)
{
    cb = *callbacks;
    cfg = *config;
    alloc_next = cfg.mem_base;
    irq_handler = NULL;
    irq_arg = NULL;
    irq_seen = 0;
    in_handler = 0;
    sgdma_rt_abort_flag = 0;
    sgdma_rt_irq_edges = 0;
    sgdma_rt_irq_line = 0;
    memset(&sgdma_rt_crash, 0, sizeof sgdma_rt_crash);
    sgdma_uio_reset();
}

/* Map the simulated RAM (the memfd `fd`) at its bus address.  0, or the errno. */
int sgdma_rt_map(int fd, uint64_t base, uint64_t size)
{
    /* (system calls: the C library names are the UIO flow's in this library, sgdma_uio.c) */
    void *p = (void *)syscall(SYS_mmap, (void *)(uintptr_t)base, size, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    if (p == MAP_FAILED)
        return errno ? errno : EINVAL;
    if ((uintptr_t)p != base) {
        syscall(SYS_munmap, p, size);
        return EEXIST;
    }
    return 0;
}

int sgdma_rt_unmap(uint64_t base, uint64_t size)
{
    return syscall(SYS_munmap, (void *)(uintptr_t)base, size) == 0 ? 0 : errno;
}

/* ---- after every callback: a requested abort, then a pending interrupt ------------------ */
static void rt_abort(void)
{
    if (rt_active && pthread_equal(pthread_self(), rt_thread)) {
        rt_active = 0;
        siglongjmp(rt_jmp, RT_ABORTED);
    }
}

static void rt_after(void)
{
    if (sgdma_rt_abort_flag)
        rt_abort();
    if (irq_handler && !in_handler && sgdma_rt_irq_edges != irq_seen) {
        irq_seen = sgdma_rt_irq_edges;
        in_handler = 1;
        irq_handler(irq_arg);
        in_handler = 0;
        if (sgdma_rt_abort_flag)
            rt_abort();
    }
}

static void rt_message(int kind, const char *fmt, va_list ap)
{
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    CB_VOID(message(kind, text));
}

/* A misuse of the platform: reported, and the driver stops. */
static void rt_misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void rt_misuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_message(2, fmt, ap);
    va_end(ap);
    rt_active = 0;
    siglongjmp(rt_jmp, RT_ABORTED);
}

/* ---- registers ----------------------------------------------------------------------------- */
uint32_t sgdma_reg_read32(uint32_t offset)
{
    if (offset & 3 || offset >= cfg.reg_size)
        rt_misuse("register read at offset 0x%x: not a 32-bit register of the %#llx-byte window", offset,
                  (unsigned long long)cfg.reg_size);
    uint32_t v = CB_VALUE(uint32_t, reg_read(offset));
    rt_after();
    return v;
}

void sgdma_reg_write32(uint32_t offset, uint32_t value)
{
    if (offset & 3 || offset >= cfg.reg_size)
        rt_misuse("register write of 0x%08x at offset 0x%x: not a 32-bit register of the %#llx-byte window",
                  value, offset, (unsigned long long)cfg.reg_size);
    CB_VOID(reg_write(offset, value));
    rt_after();
}

uintptr_t sgdma_reg_base(void) { return (uintptr_t)cfg.reg_base; }
size_t sgdma_reg_size(void) { return (size_t)cfg.reg_size; }

/* ---- memory ------------------------------------------------------------------------------- */
uint64_t sgdma_mem_base(void) { return cfg.mem_base; }
size_t sgdma_mem_size(void) { return (size_t)cfg.mem_size; }

int sgdma_dma_alloc(size_t size, size_t align, sgdma_dma_buf_t *out)
{
    if (align < 64)
        align = 64;
    if (align & (align - 1) || size == 0 || out == NULL)
        return -1;
    uint64_t at = (alloc_next + align - 1) & ~(uint64_t)(align - 1);
    if (at + size > cfg.mem_base + cfg.mem_size || at + size < at)
        return -1;
    alloc_next = at + size;
    out->cpu = (void *)(uintptr_t)at;
    out->bus = at;
    out->size = size;
    memset(out->cpu, 0, size);
    return 0;
}

uint64_t sgdma_dma_bus_addr(const void *cpu)
{
    uint64_t a = (uint64_t)(uintptr_t)cpu;
    return a >= cfg.mem_base && a < cfg.mem_base + cfg.mem_size ? a : UINT64_MAX;
}

void *sgdma_dma_cpu_ptr(uint64_t bus)
{
    return bus >= cfg.mem_base && bus < cfg.mem_base + cfg.mem_size ? (void *)(uintptr_t)bus : NULL;
}

void sgdma_cache_flush(const volatile void *cpu, size_t len)
{
    CB_VOID(cache(0, (uint64_t)(uintptr_t)cpu, len));
    rt_after();
}

void sgdma_cache_invalidate(const volatile void *cpu, size_t len)
{
    CB_VOID(cache(1, (uint64_t)(uintptr_t)cpu, len));
    rt_after();
}

/* ---- time --------------------------------------------------------------------------------- */
void sgdma_delay_cycles(uint64_t cycles)
{
    CB_VOID(delay(cycles ? cycles : 1));
    rt_after();
}

void sgdma_delay_us(uint64_t us) { sgdma_delay_cycles(us * cfg.clock_mhz); }
uint64_t sgdma_now_cycles(void) { return CB_VALUE(uint64_t, now()); }
uint32_t sgdma_clock_mhz(void) { return cfg.clock_mhz; }

/* ---- interrupts --------------------------------------------------------------------------- */
int sgdma_irq_wait(uint64_t timeout_us)
{
    int r = CB_VALUE(int, irq_wait(timeout_us * cfg.clock_mhz, 0));
    rt_after();
    return r;
}

int sgdma_wait_for_interrupt(uint64_t timeout_us)
{
    int r = 1;
    if (sgdma_rt_irq_edges == irq_seen || !irq_handler)
        r = CB_VALUE(int, irq_wait(timeout_us * cfg.clock_mhz, 1));
    rt_after();
    return r;
}

int sgdma_irq_level(void) { return sgdma_rt_irq_line; }

void sgdma_irq_connect(sgdma_irq_handler_t handler, void *arg)
{
    irq_handler = handler;
    irq_arg = arg;
    irq_seen = sgdma_rt_irq_edges;   /* edges before the connection are not delivered */
}

/* ---- the scenario ------------------------------------------------------------------------- */
uint64_t sgdma_sim_stream_bytes(void) { return cfg.stream_bytes; }
uint64_t sgdma_sim_packet_bytes(void) { return cfg.packet_bytes; }

void sgdma_sim_receive(const volatile void *cpu, size_t len)
{
    CB_VOID(receive((uint64_t)(uintptr_t)cpu, len));
    rt_after();
}

void sgdma_sim_result(const char *name, uint64_t value) { CB_VOID(result(name, value)); }

void sgdma_sim_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_message(0, fmt, ap);
    va_end(ap);
}

void sgdma_sim_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_message(1, fmt, ap);
    va_end(ap);
}

void sgdma_sim_exit(int code)
{
    exit_code = code;
    rt_active = 0;
    siglongjmp(rt_jmp, RT_EXITED);
}

/* Reported by the BSP adapters (bsp/): a misuse with its message. */
void sgdma_rt_misuse(const char *text) { rt_misuse("%s", text); }

/* The UIO flow (sgdma_uio.c): the DMA memory is mapped uncached; the next interrupt edge. */
void sgdma_rt_set_coherent(void) { CB_VOID(message(4, "coherent")); }

int sgdma_rt_wait_event(uint64_t timeout_us)
{
    int r = CB_VALUE(int, irq_wait(timeout_us * cfg.clock_mhz, 1));
    rt_after();
    return r;
}

/* ---- the trampoline ------------------------------------------------------------------------ */
static void rt_on_signal(int sig, siginfo_t *si, void *ucv)
{
    int i;
    if (rt_active && pthread_equal(pthread_self(), rt_thread) &&
        ((sig == SIGSEGV && sgdma_uio_fault(si, ucv)) || (sig == SIGTRAP && sgdma_uio_step(ucv))))
        return;   /* a register access through the UIO map */
    if (!rt_active || !pthread_equal(pthread_self(), rt_thread)) {
        /* not the driver: give the signal to whoever had it before */
        for (i = 0; i < NSIGS; i++)
            if (fault_sigs[i] == sig)
                sigaction(sig, &old_act[i], NULL);
        if (sig == RT_WATCHDOG_SIG)
            return;
        if (sig == SIGABRT || si->si_code <= 0)
            raise(sig);
        return;   /* the faulting instruction runs again, under the old handler */
    }
    if (sig == RT_WATCHDOG_SIG && rt_in_cb) {
        sgdma_rt_abort_flag = 1;   /* inside the runner: stop when the callback returns */
        return;
    }
    ucontext_t *uc = (ucontext_t *)ucv;
    sgdma_rt_crash.sig = sig;
    sgdma_rt_crash.code = si->si_code;
    sgdma_rt_crash.addr = (uint64_t)(uintptr_t)si->si_addr;
    sgdma_rt_crash.is_write = -1;
#if defined(__x86_64__)
    sgdma_rt_crash.pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    if (sig == SIGSEGV)
        sgdma_rt_crash.is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 1 : 0;
#elif defined(__aarch64__)
    sgdma_rt_crash.pc = (uint64_t)uc->uc_mcontext.pc;
#else
    (void)uc;
#endif
    rt_active = 0;
    siglongjmp(rt_jmp, sig == RT_WATCHDOG_SIG ? RT_STUCK : RT_CRASHED);
}

/* The runner's watchdog (another thread): stop the driver where it is. */
void sgdma_rt_interrupt(void)
{
    if (rt_active)
        pthread_kill(rt_thread, RT_WATCHDOG_SIG);
}

/* Run `entry` on this thread; its return value in *rc.  RT_RETURNED, RT_CRASHED (the crash
 * in sgdma_rt_crash), RT_ABORTED (the runner or a misuse stopped it) or RT_EXITED. */
int sgdma_rt_run(int (*entry)(void), int *rc)
{
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0}, old_ss;
    struct sigaction sa;
    int i;
    volatile int how;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rt_on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaltstack(&ss, &old_ss);
    for (i = 0; i < NSIGS; i++)
        sigaction(fault_sigs[i], &sa, &old_act[i]);
    rt_thread = pthread_self();
    rt_in_cb = 0;
    *rc = 0;
    how = sigsetjmp(rt_jmp, 1);
    if (how == 0) {
        rt_active = 1;
        *rc = entry();
        rt_active = 0;
    } else if (how == RT_EXITED) {
        *rc = exit_code;
    }
    for (i = 0; i < NSIGS; i++)
        sigaction(fault_sigs[i], &old_act[i], NULL);
    sigaltstack(&old_ss, NULL);
    if (how == RT_CRASHED || how == RT_STUCK) {
        Dl_info info;
        if (dladdr((void *)(uintptr_t)sgdma_rt_crash.pc, &info)) {
            sgdma_rt_crash.lib_base = (uint64_t)(uintptr_t)info.dli_fbase;
            sgdma_rt_crash.sym_addr = (uint64_t)(uintptr_t)info.dli_saddr;
            snprintf(sgdma_rt_crash.sym, sizeof sgdma_rt_crash.sym, "%s", info.dli_sname ? info.dli_sname : "");
            snprintf(sgdma_rt_crash.lib, sizeof sgdma_rt_crash.lib, "%s", info.dli_fname ? info.dli_fname : "");
        }
    }
    return how;
}
