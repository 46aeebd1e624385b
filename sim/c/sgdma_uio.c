/* sgdma_uio.c - a user-space UIO flow on the co-simulation platform, for drivers written
 * against Linux's userspace I/O interface (the names and semantics are the kernel's UIO
 * documentation's; the code is this project's).
 *
 * The device is /dev/uio0 ("sgdma"), with two maps as uio_pdrv_genirq exposes them:
 *   map0  the engine's registers  (addr --reg-base, size 0x10000)
 *   map1  the DMA memory          (addr --mem-base, size --mem-size)
 * - open("/dev/uio0") gives a descriptor; with O_SYNC the DMA memory counts as mapped
 *   uncached (coherent: the runner's cache-contract checks are off).
 * - mmap(fd, offset N * page size) maps map N.  map1 is the DMA memory itself (at its bus
 *   address).  map0 is a guard page range: every load or store there faults, and the fault
 *   becomes the register access (x86-64: the instruction is single-stepped against a page
 *   that holds the register's value), so `regs->S2MM_DMACR = v` and `v = regs[0x34 / 4]`
 *   work as on hardware, one 32-bit register access each.
 * - write(fd, &one, 4) enables the interrupt (irqcontrol); read(fd, &count, 4) blocks until
 *   an interrupt and returns the number of interrupts so far; after each interrupt it is
 *   disabled until the next write of 1, as with uio_pdrv_genirq.  poll(POLLIN) waits with a
 *   timeout.
 * - /sys/class/uio/uio0/name and maps/mapN/{name,addr,size,offset} read (open/read or
 *   fopen) as on Linux.
 * Every other path and descriptor goes to the C library unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "sgdma_platform.h"

/* the platform's (sgdma_platform.c) */
void sgdma_rt_misuse(const char *text) __attribute__((noreturn));
void sgdma_rt_set_coherent(void);
int sgdma_rt_wait_event(uint64_t timeout_us);
extern volatile uint64_t sgdma_rt_irq_edges;
extern volatile int sgdma_rt_irq_line;

#define UIO_DEV "/dev/uio0"
#define UIO_SYS "/sys/class/uio/uio0"
#define PAGE 4096u

static int uio_fd = -1;
static int irq_enabled;
static uint64_t edges_at_enable;
static int pending;
static uint32_t event_count;
static uint8_t *reg_map;           /* the guard range of map0 (NULL: not mapped) */
static size_t reg_map_size;
static uint32_t step_off;          /* the access being single-stepped */
static int step_write;
static int stepping;

static long forward_open(const char *path, int flags, mode_t mode)
{
    return syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* The text of a sysfs attribute of uio0, or NULL for any other path. */
static const char *sys_text(const char *path, char *buf, size_t n)
{
    unsigned map;
    char attr[16];
    if (strcmp(path, UIO_SYS "/name") == 0)
        return snprintf(buf, n, "sgdma\n"), buf;
    if (strcmp(path, UIO_SYS "/version") == 0)
        return snprintf(buf, n, "sgdma-sim\n"), buf;
    if (sscanf(path, UIO_SYS "/maps/map%u/%15s", &map, attr) != 2 || map > 1)
        return NULL;
    uint64_t addr = map ? sgdma_mem_base() : sgdma_reg_base();
    uint64_t size = map ? sgdma_mem_size() : sgdma_reg_size();
    if (strcmp(attr, "addr") == 0)
        snprintf(buf, n, "0x%016llx\n", (unsigned long long)addr);
    else if (strcmp(attr, "size") == 0)
        snprintf(buf, n, "0x%016llx\n", (unsigned long long)size);
    else if (strcmp(attr, "offset") == 0)
        snprintf(buf, n, "0x0\n");
    else if (strcmp(attr, "name") == 0)
        snprintf(buf, n, "%s\n", map ? "dma-memory" : "registers");
    else
        return NULL;
    return buf;
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    char text[64];
    const char *sys;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (strcmp(path, UIO_DEV) == 0) {
        if (uio_fd >= 0) {
            errno = EBUSY;
            return -1;
        }
        uio_fd = (int)syscall(SYS_eventfd2, 0, 0);
        irq_enabled = 1;           /* as after the driver's probe */
        edges_at_enable = sgdma_rt_irq_edges;
        pending = 0;
        event_count = 0;
        if (flags & O_SYNC)
            sgdma_rt_set_coherent();
        return uio_fd;
    }
    if ((sys = sys_text(path, text, sizeof text)) != NULL) {
        int fd = (int)syscall(SYS_memfd_create, "uio-sysfs", 0);
        if (fd >= 0) {
            if (syscall(SYS_write, fd, sys, strlen(sys)) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return -1;
        }
        return fd;
    }
    return (int)forward_open(path, flags, mode);
}

FILE *fopen(const char *path, const char *how)
{
    static char texts[8][64];
    static unsigned next;
    const char *sys;
    if ((sys = sys_text(path, texts[next % 8], sizeof texts[0])) != NULL) {
        next++;
        return fmemopen((void *)sys, strlen(sys), "r");
    }
    int flags = strchr(how, '+') ? O_RDWR : (how[0] == 'r' ? O_RDONLY : O_WRONLY);
    if (how[0] == 'w')
        flags |= O_CREAT | O_TRUNC;
    else if (how[0] == 'a')
        flags |= O_CREAT | O_APPEND;
    int fd = (int)forward_open(path, flags, 0666);
    return fd < 0 ? NULL : fdopen(fd, how);
}

int close(int fd)
{
    if (fd >= 0 && fd == uio_fd)
        uio_fd = -1;
    return (int)syscall(SYS_close, fd);
}

/* One interrupt, waited for (timeout_us 0: until --max-cycles).  1, or 0 on timeout. */
static int uio_wait(uint64_t timeout_us)
{
    if (!irq_enabled && !pending)
        sgdma_rt_misuse("read or poll on " UIO_DEV " with its interrupt disabled: after each interrupt, write 1 "
                        "to the descriptor to enable the next (irqcontrol)");
    while (!pending && sgdma_rt_irq_edges == edges_at_enable)
        if (!sgdma_rt_wait_event(timeout_us))
            return 0;
    return 1;
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (fd < 0 || fd != uio_fd)
        return syscall(SYS_read, fd, buf, n);
    if (n != 4) {
        errno = EINVAL;
        return -1;
    }
    if (!uio_wait(0)) {
        errno = EINTR;
        return -1;
    }
    event_count++;
    pending = 0;
    irq_enabled = 0;                 /* masked until the next write of 1 */
    memcpy(buf, &event_count, 4);
    return 4;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    uint32_t on;
    if (fd < 0 || fd != uio_fd)
        return syscall(SYS_write, fd, buf, n);
    if (n != 4) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&on, buf, 4);
    if (on && !irq_enabled) {
        /* unmasking a line that is still high interrupts at once */
        pending = sgdma_rt_irq_line;
        edges_at_enable = sgdma_rt_irq_edges;
    }
    irq_enabled = on != 0;
    return 4;
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    nfds_t i = n;
    const volatile struct pollfd *in = fds;     /* (the C library declares fds write-only) */
    if (uio_fd >= 0)
        for (i = 0; i < n; i++)
            if (in[i].fd == uio_fd)
                break;
    if (i == n) {
#ifdef SYS_poll
        return (int)syscall(SYS_poll, fds, n, timeout_ms);
#else
        struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
        return (int)syscall(SYS_ppoll, fds, n, timeout_ms < 0 ? NULL : &ts, NULL, 0);
#endif
    }
    if (n != 1)
        sgdma_rt_misuse("poll: " UIO_DEV " can only be polled on its own");
    fds[0].revents = 0;
    if (uio_wait(timeout_ms < 0 ? 0 : (uint64_t)timeout_ms * 1000 + (timeout_ms == 0)))
        fds[0].revents = POLLIN;
    return fds[0].revents ? 1 : 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fd < 0 || fd != uio_fd)
        return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    (void)prot;
    if (off == PAGE) {
        if (len > sgdma_mem_size())
            sgdma_rt_misuse("mmap of " UIO_DEV " map1: longer than the DMA memory");
        return (void *)(uintptr_t)sgdma_mem_base();
    }
    if (off != 0)
        sgdma_rt_misuse("mmap of " UIO_DEV ": the offset selects the map (0: registers, page size: DMA memory)");
    if (reg_map)
        return reg_map;
#if !defined(__x86_64__)
    sgdma_rt_misuse("mmap of " UIO_DEV " map0: register access through a mapping needs x86-64 (single step)");
#endif
    reg_map_size = sgdma_reg_size();
    reg_map = (uint8_t *)syscall(SYS_mmap, NULL, reg_map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((void *)reg_map == MAP_FAILED) {
        reg_map = NULL;
        return MAP_FAILED;
    }
    (void)addr;
    (void)len;
    return reg_map;
}

int munmap(void *addr, size_t len)
{
    if (addr == (void *)(uintptr_t)sgdma_mem_base() && len <= sgdma_mem_size())
        return 0;                    /* the DMA memory stays mapped for the runner */
    if (reg_map && addr == reg_map) {
        syscall(SYS_munmap, reg_map, reg_map_size);
        reg_map = NULL;
        return 0;
    }
    return (int)syscall(SYS_munmap, addr, len);
}

/* ---- register access through map0: fault, single step, trap --------------------------- */
#if defined(__x86_64__)
/* The instruction at `ip` is a plain store (mov to memory): nothing to read first. */
static int plain_store(const uint8_t *ip)
{
    while (*ip == 0x66 || *ip == 0x67 || (*ip >= 0x40 && *ip <= 0x4f))
        ip++;
    return *ip == 0x89 || *ip == 0xc7 || *ip == 0x88 || *ip == 0xc6;
}

/* SIGSEGV in map0: 1 if handled (the access is under way), 0 if it is not a register access. */
int sgdma_uio_fault(siginfo_t *si, void *ucv)
{
    ucontext_t *uc = (ucontext_t *)ucv;
    uint8_t *a = (uint8_t *)si->si_addr;
    if (!reg_map || a < reg_map || a >= reg_map + reg_map_size || stepping)
        return 0;
    uint32_t off = (uint32_t)(a - reg_map) & ~3u;
    int is_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
    uint8_t *page = reg_map + (off & ~(PAGE - 1));
    syscall(SYS_mprotect, page, PAGE, PROT_READ | PROT_WRITE);
    if (!is_write || !plain_store((const uint8_t *)uc->uc_mcontext.gregs[REG_RIP])) {
        uint32_t v = sgdma_reg_read32(off);
        memcpy(reg_map + off, &v, 4);
    }
    step_off = off;
    step_write = is_write;
    stepping = 1;
    uc->uc_mcontext.gregs[REG_EFL] |= 0x100;   /* trap after this one instruction */
    return 1;
}

/* SIGTRAP after the single step: the write reaches the register, the page is a guard again. */
int sgdma_uio_step(void *ucv)
{
    ucontext_t *uc = (ucontext_t *)ucv;
    uint32_t v;
    if (!stepping)
        return 0;
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
    stepping = 0;
    memcpy(&v, reg_map + step_off, 4);
    syscall(SYS_mprotect, reg_map + (step_off & ~(PAGE - 1)), PAGE, PROT_NONE);
    if (step_write)
        sgdma_reg_write32(step_off, v);
    return 1;
}
#else
int sgdma_uio_fault(siginfo_t *si, void *ucv) { (void)si; (void)ucv; return 0; }
int sgdma_uio_step(void *ucv) { (void)ucv; return 0; }
#endif

/* The runner's start of a run: nothing of a previous run's UIO state remains. */
void sgdma_uio_reset(void)
{
    if (reg_map)
        syscall(SYS_munmap, reg_map, reg_map_size);
    reg_map = NULL;
    uio_fd = -1;
    stepping = 0;
}
