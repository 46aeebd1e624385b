/* A user-space UIO driver flow around the bare-metal ring helpers of examples/c/sgdma_ring.c
 * (unmodified: they access registers through a `volatile sgdma_t *`, which here is the UIO
 * register map): sysfs for the map addresses, mmap of the registers and of the DMA memory
 * (O_SYNC: uncached), poll and read for interrupts, write to re-enable them. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sgdma_platform.h"
#include "sgdma_ring.h"

#ifndef UIO_OPEN_FLAGS
#define UIO_OPEN_FLAGS (O_RDWR | O_SYNC)
#endif
#define RING_N 4u
#define BUF_LEN 4096u

static unsigned long long sysfs_hex(const char *path)
{
    unsigned long long v = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%llx", &v) != 1)
        v = 0;
    fclose(f);
    return v;
}

int run_test(void)
{
    uint32_t one = 1, count = 0;
    unsigned next = 0, i, k, interrupts = 0;
    unsigned long long got = 0, total = sgdma_sim_stream_bytes();
    int fd = open("/dev/uio0", UIO_OPEN_FLAGS);
    if (fd < 0)
        return 1;
    unsigned long long phys = sysfs_hex("/sys/class/uio/uio0/maps/map1/addr");
    size_t mem_size = sysfs_hex("/sys/class/uio/uio0/maps/map1/size");
    size_t reg_size = sysfs_hex("/sys/class/uio/uio0/maps/map0/size");
    volatile sgdma_t *dma = mmap(NULL, reg_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, getpagesize());
    if (dma == MAP_FAILED || mem == MAP_FAILED || phys == 0 || reg_size != 0x10000)
        return 2;
    sgdma_desc_t *ring = (sgdma_desc_t *)mem;
    uint32_t ring_phys = (uint32_t)phys, buf_phys = ring_phys + 0x1000;
    if (sgdma_ring_init(ring, ring_phys, RING_N, buf_phys, BUF_LEN) != 0)
        return 3;
    if (write(fd, &one, 4) != 4)
        return 4;
    if (sgdma_ring_start(dma, ring_phys, RING_N, 2, 10) != 0)
        return 5;
    while (got < total) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10) != 1) {
            sgdma_sim_fail("no interrupt within 10 ms, %llu of %llu bytes received", got, total);
            return 6;
        }
        if (read(fd, &count, 4) != 4)
            return 7;
        interrupts++;
        for (i = next, k = 0; k < RING_N && (ring[i].STATUS & SGDMA_DESC_STATUS_CMPLT_MASK); i = (i + 1) % RING_N, k++) {
            uint32_t len = ring[i].STATUS & SGDMA_DESC_STATUS_LENGTH_MASK;
            sgdma_sim_receive(mem + 0x1000 + i * BUF_LEN, len);
            got += len;
        }
        sgdma_ring_reap(dma, ring, ring_phys, RING_N, &next);
        if (write(fd, &one, 4) != 4)
            return 8;
    }
    sgdma_sim_result("interrupts_read", interrupts);
    sgdma_sim_result("uio_count", count);
    munmap((void *)dma, reg_size);
    munmap(mem, mem_size);
    close(fd);
    return 0;
}
