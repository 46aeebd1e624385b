// harness.cpp: rtl/sgdma.v under Verilator with every bus model in C++, behind a C ABI.
//
// Built into a shared library by sgdma_verif.fast_rtl (first use, cached under build/).
// Per clock: sample the ports (the values the rising edge takes), check the AXI rules on
// them, evaluate the edge, let the bus models answer, evaluate the falling edge.  The bus
// models are:
//   - a memory answering m_axi_s2mm (AW/W/B) and m_axi_sg (AR/R, AW/W/B), over a host buffer
//     (the driver model's physical memory, shared with Python, no copy) through a page table
//     (the IOMMU's translations), with a fixed B and R latency, a ready pattern (a seeded
//     duty of not-ready clocks) per channel and error injection on address ranges;
//   - an AXI-Stream source fed from queued chunks, paced by a rate accumulator or random idle
//     clocks, tlast at each packet's end;
//   - an AXI-Lite master (one read and one write at a time);
//   - for the MM2S channel (builds with INCLUDE_MM2S=1; the ports are tied off otherwise): a
//     read slave answering m_axi_mm2s from the same memory (R latency, ready patterns, error
//     injection), and an AXI-Stream sink on m_axis_mm2s (a TREADY pattern) collecting the
//     bytes and the packet ends;
//   - both interrupt lines and the counters a port monitor keeps.
// The checker re-expresses tb/sgdma_verif/axi_checker.py: VALID held until READY with a
// stable payload, VALID low in reset, INCR full-width bursts with ID 0 inside 4 KiB, burst
// lengths, WLAST in AW order, no B before its last W, RLAST on the last beat, no AXI-Lite
// response without a request; on MM2S, R beats and RLAST counted against the ARs, and a
// packed stream (TKEEP contiguous from lane 0, a partial beat only with TLAST).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "Vsgdma.h"
#include "Vsgdma___024root.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#ifndef HARNESS_DW
#define HARNESS_DW 64
#endif
#ifndef HARNESS_SGDW
#define HARNESS_SGDW 64
#endif
#ifndef HARNESS_MAX_BURST
#define HARNESS_MAX_BURST 16
#endif

static const unsigned DB = HARNESS_DW / 8;    // data bus bytes
static const unsigned SGB = HARNESS_SGDW / 8;  // descriptor bus bytes
static const uint64_t PAGE = 4096;

double sc_time_stamp() { return 0; }

// ---------------------------------------------------------------------------- counters
// One flat array of 64-bit counters Python reads in place (the order is the ABI).
enum Counter {
    C_CLOCKS, C_SENT_BEATS, C_W_BEATS, C_W_BYTES, C_WAITING, C_STREAM_STALLS, C_W_STALLS,
    C_AW_BURSTS, C_IRQ_RISES, C_SG_READS, C_SG_WRITES, C_REFUSED, C_VIOLATIONS, C_LITE_READS,
    C_LITE_WRITES, C_STREAM_QUEUED, C_DROPPED_BYTES, C_RING_FULL,
    C_MM2S_READS, C_MM2S_R_BEATS, C_MM2S_BEATS, C_MM2S_BYTES, C_MM2S_PACKETS, C_MM2S_STALLS, C_MM2S_IRQ_RISES,
    C_COUNT
};

enum Stop { S_LIMIT = 1, S_IRQ = 2, S_LITE = 4, S_VIOLATION = 8, S_STREAM_EMPTY = 16, S_MM2S_IRQ = 32,
            S_MM2S_PACKET = 64 };

struct Pattern {  // ready pattern: `duty` of the clocks not ready, from a seeded xorshift
    uint64_t s = 0x9E3779B97F4A7C15ull;
    uint32_t duty = 0;  // out of 65536
    bool next() {
        if (!duty) return true;
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        return (uint32_t)(s & 0xFFFF) >= duty;
    }
};

struct FaultRange { uint64_t lo, hi; int kind; int resp; };  // kind: 1 read, 2 write, 3 both

struct Harness;

struct Memory {
    uint8_t* base = nullptr;   // host buffer (physical memory)
    uint64_t size = 0;
    uint64_t phys_base = 0;    // physical address of base[0]
    const int64_t* pt = nullptr;  // page table: entry = phys_pfn << 2 | W << 1 | R; 0 = unmapped
    uint64_t pt_base = 0, pt_len = 0;  // IOVA pfn of pt[0], entries
    bool identity = true;      // no page table: bus address = physical address
    std::vector<FaultRange> faults;
    std::vector<uint64_t> refused;   // (addr << 1 | is_write) of refused accesses, for Python
    // Host pointer of [addr, addr+n) (within one page), or null when refused.
    uint8_t* at(uint64_t addr, unsigned n, bool wr, int* resp) {
        for (auto& f : faults)
            if (addr < f.hi && addr + n > f.lo && (f.kind & (wr ? 2 : 1))) { *resp = f.resp; return nullptr; }
        uint64_t phys;
        if (identity) {
            phys = addr;
        } else {
            uint64_t pfn = addr / PAGE;
            if (pfn < pt_base || pfn - pt_base >= pt_len) { *resp = 2; note(addr, wr); return nullptr; }
            int64_t e = pt[pfn - pt_base];
            if (!(e & (wr ? 2 : 1))) { *resp = 2; note(addr, wr); return nullptr; }
            phys = ((uint64_t)e >> 2) * PAGE + (addr & (PAGE - 1));
        }
        if (phys < phys_base || phys - phys_base + n > size) { *resp = 2; note(addr, wr); return nullptr; }
        return base + (phys - phys_base);
    }
    void note(uint64_t addr, bool wr) { if (refused.size() < 4096) refused.push_back(addr << 1 | (wr ? 1 : 0)); }
};

// A write slave (AW, W, B) over the memory: AW first, W beats after, B `b_lat` clocks after
// the last W beat, in order.
struct WriteSlave {
    unsigned bytes;
    Pattern aw_p, w_p;
    unsigned b_lat = 0;
    struct Burst { uint64_t addr; unsigned beats, done; int resp; };
    std::deque<Burst> aws;
    struct B { uint64_t due; int resp; };
    std::deque<B> bs;
    struct Beat { uint64_t data; unsigned strb; bool last; };
    std::deque<Beat> wq;   // W beats taken before their AW
    bool awready = false, wready = false, bvalid = false;
    int bresp = 0;
    explicit WriteSlave(unsigned b) : bytes(b) {}
};

struct ReadSlave {
    unsigned bytes;
    unsigned depth;        // ARs it holds at once
    Pattern ar_p, r_p;
    unsigned r_lat = 1;
    struct Rd { uint64_t addr, due; unsigned beats, done; };
    std::deque<Rd> ars;
    bool arready = false, rvalid = false, rlast = false;
    uint64_t rdata = 0;
    int rresp = 0;
    ReadSlave(unsigned b, unsigned d) : bytes(b), depth(d) {}
};

struct Chunk { std::vector<uint8_t> data; bool last; };

struct Chan {  // one channel's handshake state for the checker
    const char* name;
    bool pend = false;
    uint64_t p[4] = {0, 0, 0, 0};
};

struct WTrack {  // AW lengths and W bursts in order (WLAST rules, B after last W)
    std::deque<unsigned> aw_lens, w_closed;
    unsigned w_beats = 0, done = 0;
};

struct Harness {
    VerilatedContext* ctx;
    Vsgdma* top;
#if VM_TRACE
    VerilatedFstC* tfp = nullptr;
#endif
    uint64_t tick = 0;   // trace time
    uint64_t ctr[C_COUNT];
    Memory mem;
    WriteSlave s2mm{DB}, sgw{SGB};
    ReadSlave sgr{SGB, 4};
    ReadSlave mm2sr{DB, 16};
    // MM2S stream sink
    Pattern sink_p;
    bool sink_ready = true;
    std::vector<uint8_t> rx;            // bytes received on m_axis_mm2s
    std::vector<uint64_t> rx_ends;      // offset in rx after each TLAST
    bool mm2s_irq_prev = false;
    bool checker = true;
    std::vector<std::string> violations;
    Chan ch[17];
    WTrack wt_s2mm, wt_sg;
    std::deque<unsigned> reads, mm2s_reads;
    int lite_aw = 0, lite_w = 0, lite_rd = 0;
    bool in_reset = false;
    unsigned reset_cycles = 0;
    // stream source
    std::deque<Chunk> chunks;
    uint64_t chunk_pos = 0;
    double rate = 1.0, acc = 0.0;
    uint32_t idle_duty = 0;
    Pattern idle_p;
    bool tvalid = false;
    // AXI-Lite master
    int lw_state = 0, lr_state = 0;   // 0 idle, 1 waiting to issue, 2 issued, 3 done, 4 (read) address taken
    unsigned lw_delay = 0, lr_delay = 0, lite_issue = 1;
    uint32_t lw_addr = 0, lw_data = 0, lr_addr = 0, lr_data = 0;
    int lw_resp = 0, lr_resp = 0;
    bool lw_aw_done = false, lw_w_done = false;
    bool irq_prev = false;
    size_t rx_seen = 0;                 // packet ends run() has reported

    Harness() {
        ctx = new VerilatedContext;
        top = new Vsgdma{ctx};
        std::memset(ctr, 0, sizeof ctr);
        const char* names[17] = {"m_axi_s2mm.aw", "m_axi_s2mm.w", "m_axi_s2mm.b", "m_axi_sg.aw", "m_axi_sg.w",
                                 "m_axi_sg.b", "m_axi_sg.ar", "m_axi_sg.r", "s_axi_lite.aw", "s_axi_lite.w",
                                 "s_axi_lite.b", "s_axi_lite.ar", "s_axi_lite.r", "s_axis_s2mm.t",
                                 "m_axi_mm2s.ar", "m_axi_mm2s.r", "m_axis_mm2s.t"};
        for (int i = 0; i < 17; i++) ch[i].name = names[i];
        top->axi_aclk = 0;
        top->axi_resetn = 0;
        drive();
        top->eval();
    }
    ~Harness() {
#if VM_TRACE
        if (tfp) { tfp->close(); delete tfp; }
#endif
        top->final();
        delete top;
        delete ctx;
    }

    void violation(const char* where, const std::string& rule) {
        ctr[C_VIOLATIONS]++;
        if (violations.size() < 64) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "at cycle %llu: ", (unsigned long long)ctr[C_CLOCKS]);
            violations.push_back(std::string("AXI protocol violation ") + buf + where + ": " + rule);
        }
    }

    // The checker's view of one channel: returns whether a transfer happens at this edge.
    bool chan(int i, bool v, bool r, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
        Chan& k = ch[i];
        uint64_t now[4] = {a, b, c, d};
        if (checker && k.pend) {
            if (!v) { violation(k.name, "VALID dropped before READY"); k.pend = false; return false; }
            if (std::memcmp(now, k.p, sizeof now)) violation(k.name, "payload changed while VALID waited for READY");
        }
        if (!v) return false;
        if (r) { k.pend = false; return true; }
        if (!k.pend) std::memcpy(k.p, now, sizeof now);
        k.pend = true;
        return false;
    }

    void burst_rules(const char* name, uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned id,
                     unsigned lanes, unsigned max_beats) {
        unsigned beats = len + 1;
        if (burst != 1) violation(name, "burst type " + std::to_string(burst) + ", expected INCR");
        if ((1u << size) != lanes) violation(name, "size " + std::to_string(1u << size) + " bytes on a " + std::to_string(lanes) + "-byte bus");
        if (id != 0) violation(name, "ID " + std::to_string(id) + ", the engine uses ID 0");
        if ((addr & 0xFFF) + (uint64_t)beats * lanes > 0x1000) violation(name, "burst crosses a 4 KiB boundary");
        if (max_beats && beats > max_beats) violation(name, "burst of " + std::to_string(beats) + " beats > MAX_BURST_LEN");
    }
    void w_aw(WTrack& t, unsigned beats, const char* name) {
        if (!t.w_closed.empty()) {
            unsigned got = t.w_closed.front(); t.w_closed.pop_front();
            if (got != beats) violation(name, "WLAST after " + std::to_string(got) + " beats of a " + std::to_string(beats) + "-beat burst");
            t.done++;
        } else {
            t.aw_lens.push_back(beats);
        }
    }
    void w_beat(WTrack& t, bool last, const char* name) {
        t.w_beats++;
        if (!t.aw_lens.empty()) {
            unsigned expect = t.aw_lens.front();
            if (last != (t.w_beats == expect)) violation(name, "WLAST=" + std::to_string(last) + " on beat " + std::to_string(t.w_beats) + " of a " + std::to_string(expect) + "-beat burst");
            if (last || t.w_beats >= expect) { t.aw_lens.pop_front(); t.w_beats = 0; t.done++; }
        } else if (last) {
            t.w_closed.push_back(t.w_beats); t.w_beats = 0;
        }
    }
    void w_b(WTrack& t, const char* name) {
        if (!t.done) { violation(name, "B response before the last W beat of its burst"); return; }
        t.done--;
    }

    // ------------------------------------------------------------------ one clock
    void step() {
        Vsgdma* d = top;
        // 1. what the rising edge takes (handshakes), checked
        bool rst = !d->axi_resetn;
        if (rst) {
            reset_cycles++;
            if (checker && reset_cycles >= 2 &&
                (d->m_axi_s2mm_awvalid || d->m_axi_s2mm_wvalid || d->m_axi_sg_awvalid || d->m_axi_sg_wvalid ||
                 d->m_axi_sg_arvalid || d->s_axi_lite_bvalid || d->s_axi_lite_rvalid ||
                 d->m_axi_mm2s_arvalid || d->m_axis_mm2s_tvalid))
                violation("reset", "VALID high during reset");
            for (auto& k : ch) k.pend = false;
            wt_s2mm = WTrack(); wt_sg = WTrack(); reads.clear(); mm2s_reads.clear();
            lite_aw = lite_w = lite_rd = 0;
        } else {
            reset_cycles = 0;
        }
        bool aw = !rst && chan(0, d->m_axi_s2mm_awvalid, d->m_axi_s2mm_awready, d->m_axi_s2mm_awaddr,
                               d->m_axi_s2mm_awlen | d->m_axi_s2mm_awsize << 8 | d->m_axi_s2mm_awburst << 12, d->m_axi_s2mm_awid);
        bool w = !rst && chan(1, d->m_axi_s2mm_wvalid, d->m_axi_s2mm_wready, d->m_axi_s2mm_wdata, d->m_axi_s2mm_wstrb, d->m_axi_s2mm_wlast);
        bool b = !rst && chan(2, d->m_axi_s2mm_bvalid, d->m_axi_s2mm_bready, d->m_axi_s2mm_bresp, d->m_axi_s2mm_bid);
        bool gaw = !rst && chan(3, d->m_axi_sg_awvalid, d->m_axi_sg_awready, d->m_axi_sg_awaddr,
                                d->m_axi_sg_awlen | d->m_axi_sg_awsize << 8 | d->m_axi_sg_awburst << 12, d->m_axi_sg_awid);
        bool gw = !rst && chan(4, d->m_axi_sg_wvalid, d->m_axi_sg_wready, d->m_axi_sg_wdata, d->m_axi_sg_wstrb, d->m_axi_sg_wlast);
        bool gb = !rst && chan(5, d->m_axi_sg_bvalid, d->m_axi_sg_bready, d->m_axi_sg_bresp, d->m_axi_sg_bid);
        bool gar = !rst && chan(6, d->m_axi_sg_arvalid, d->m_axi_sg_arready, d->m_axi_sg_araddr,
                                d->m_axi_sg_arlen | d->m_axi_sg_arsize << 8 | d->m_axi_sg_arburst << 12, d->m_axi_sg_arid);
        bool gr = !rst && chan(7, d->m_axi_sg_rvalid, d->m_axi_sg_rready, d->m_axi_sg_rdata, d->m_axi_sg_rresp, d->m_axi_sg_rlast, d->m_axi_sg_rid);
        bool law = !rst && chan(8, d->s_axi_lite_awvalid, d->s_axi_lite_awready, d->s_axi_lite_awaddr);
        bool lw = !rst && chan(9, d->s_axi_lite_wvalid, d->s_axi_lite_wready, d->s_axi_lite_wdata);
        bool lb = !rst && chan(10, d->s_axi_lite_bvalid, d->s_axi_lite_bready, d->s_axi_lite_bresp);
        bool lar = !rst && chan(11, d->s_axi_lite_arvalid, d->s_axi_lite_arready, d->s_axi_lite_araddr);
        bool lr = !rst && chan(12, d->s_axi_lite_rvalid, d->s_axi_lite_rready, d->s_axi_lite_rdata, d->s_axi_lite_rresp);
        bool t = !rst && chan(13, d->s_axis_s2mm_tvalid, d->s_axis_s2mm_tready, d->s_axis_s2mm_tdata, d->s_axis_s2mm_tkeep, d->s_axis_s2mm_tlast);
        bool mar = !rst && chan(14, d->m_axi_mm2s_arvalid, d->m_axi_mm2s_arready, d->m_axi_mm2s_araddr,
                                d->m_axi_mm2s_arlen | d->m_axi_mm2s_arsize << 8 | d->m_axi_mm2s_arburst << 12, d->m_axi_mm2s_arid);
        bool mr = !rst && chan(15, d->m_axi_mm2s_rvalid, d->m_axi_mm2s_rready, d->m_axi_mm2s_rdata, d->m_axi_mm2s_rresp,
                               d->m_axi_mm2s_rlast, d->m_axi_mm2s_rid);
        bool mt = !rst && chan(16, d->m_axis_mm2s_tvalid, d->m_axis_mm2s_tready, d->m_axis_mm2s_tdata, d->m_axis_mm2s_tkeep,
                               d->m_axis_mm2s_tlast);
        uint64_t maraddr = d->m_axi_mm2s_araddr, mtdata = d->m_axis_mm2s_tdata;
        unsigned marlen = d->m_axi_mm2s_arlen, mtkeep = d->m_axis_mm2s_tkeep;
        bool mtlast = d->m_axis_mm2s_tlast;
        uint64_t awaddr = d->m_axi_s2mm_awaddr, wdata = d->m_axi_s2mm_wdata;
        unsigned awlen = d->m_axi_s2mm_awlen, wstrb = d->m_axi_s2mm_wstrb;
        bool wlast = d->m_axi_s2mm_wlast;
        uint64_t gawaddr = d->m_axi_sg_awaddr, gwdata = d->m_axi_sg_wdata, garaddr = d->m_axi_sg_araddr;
        unsigned gawlen = d->m_axi_sg_awlen, garlen = d->m_axi_sg_arlen, gwstrb = d->m_axi_sg_wstrb;
        bool gwlast = d->m_axi_sg_wlast;
        uint32_t lrdata = d->s_axi_lite_rdata;
        int lbresp = d->s_axi_lite_bresp, lrresp = d->s_axi_lite_rresp;
        if (!rst) {
            if (d->s_axis_s2mm_tvalid) {
                if (!d->rootp->sgdma__DOT__ring_full) ctr[C_WAITING]++;
                if (!d->s_axis_s2mm_tready) ctr[C_STREAM_STALLS]++;
            }
            if (d->m_axi_s2mm_wvalid && !d->m_axi_s2mm_wready) ctr[C_W_STALLS]++;
            if (checker) rules(aw, gaw, gar, w, wlast, gw, gwlast, b, gb, gr, d->m_axi_sg_rlast, law, lw, lb, lar, lr,
                               awaddr, awlen, d->m_axi_s2mm_awsize, d->m_axi_s2mm_awburst, d->m_axi_s2mm_awid,
                               gawaddr, gawlen, d->m_axi_sg_awsize, d->m_axi_sg_awburst, d->m_axi_sg_awid,
                               garaddr, garlen, d->m_axi_sg_arsize, d->m_axi_sg_arburst, d->m_axi_sg_arid, d->m_axi_s2mm_bid, d->m_axi_sg_bid);
            if (d->m_axis_mm2s_tvalid && !d->m_axis_mm2s_tready) ctr[C_MM2S_STALLS]++;
            if (checker) mm2s_rules(mar, maraddr, marlen, d->m_axi_mm2s_arsize, d->m_axi_mm2s_arburst, d->m_axi_mm2s_arid,
                                    mr, d->m_axi_mm2s_rlast, mt, mtkeep, mtlast);
        }
        bool t_ready = d->s_axis_s2mm_tready, t_valid = d->s_axis_s2mm_tvalid;

        // 2. the rising edge
        d->axi_aclk = 1;
        d->eval();
        ctx->timeInc(1);
#if VM_TRACE
        if (tfp) tfp->dump(tick);
#endif
        tick += 2;
        ctr[C_CLOCKS]++;

        // 3. the bus models answer
        if (!rst) {
            write_slave(s2mm, aw, awaddr, awlen, w, wdata, wstrb, wlast, b, true);
            write_slave(sgw, gaw, gawaddr, gawlen, gw, gwdata, gwstrb, gwlast, gb, false);
            read_slave(sgr, gar, garaddr, garlen, gr, false);
            read_slave(mm2sr, mar, maraddr, marlen, mr, true);
            if (mt) sink(mtdata, mtkeep, mtlast);
            if (t) ctr[C_SENT_BEATS]++;
            lite(law, lw, lb, lbresp, lar, lr, lrdata, lrresp);
        }
        stream(t_valid, t_ready, rst);
        sink_ready = !rst && sink_p.next();
        d->axi_aclk = 0;
        drive();
        d->eval();
        ctx->timeInc(1);
#if VM_TRACE
        if (tfp) tfp->dump(tick - 1);
#endif
        ctr[C_DROPPED_BYTES] = d->rootp->sgdma__DOT__cnt_drop_bytes;
        if (d->rootp->sgdma__DOT__ring_full) ctr[C_RING_FULL]++;
    }

    void rules(bool aw, bool gaw, bool gar, bool w, bool wlast, bool gw, bool gwlast, bool b, bool gb, bool gr,
               bool rlast, bool law, bool lw, bool lb, bool lar, bool lr,
               uint64_t awaddr, unsigned awlen, unsigned awsize, unsigned awburst, unsigned awid,
               uint64_t gawaddr, unsigned gawlen, unsigned gawsize, unsigned gawburst, unsigned gawid,
               uint64_t garaddr, unsigned garlen, unsigned garsize, unsigned garburst, unsigned garid,
               unsigned bid, unsigned gbid) {
        if (aw) { burst_rules("m_axi_s2mm.aw", awaddr, awlen, awsize, awburst, awid, DB, HARNESS_MAX_BURST); w_aw(wt_s2mm, awlen + 1, "m_axi_s2mm.aw"); }
        if (gaw) {
            burst_rules("m_axi_sg.aw", gawaddr, gawlen, gawsize, gawburst, gawid, SGB, 0);
            if (gawlen + 1 != 1 && gawlen + 1 != 2) violation("m_axi_sg.aw", "status write-back of " + std::to_string(gawlen + 1) + " beats");
            w_aw(wt_sg, gawlen + 1, "m_axi_sg.aw");
        }
        if (gar) {
            burst_rules("m_axi_sg.ar", garaddr, garlen, garsize, garburst, garid, SGB, 0);
            if (garlen + 1 != 32 / SGB) violation("m_axi_sg.ar", "descriptor read of " + std::to_string(garlen + 1) + " beats");
            reads.push_back(garlen + 1);
        }
        if (w) w_beat(wt_s2mm, wlast, "m_axi_s2mm.w");
        if (gw) w_beat(wt_sg, gwlast, "m_axi_sg.w");
        if (b) { if (bid) violation("m_axi_s2mm.b", "BID not 0"); w_b(wt_s2mm, "m_axi_s2mm.b"); }
        if (gb) { if (gbid) violation("m_axi_sg.b", "BID not 0"); w_b(wt_sg, "m_axi_sg.b"); }
        if (gr) {
            if (reads.empty()) {
                violation("m_axi_sg.r", "R beat with no read outstanding");
            } else {
                bool last = --reads.front() == 0;
                if (rlast != last) violation("m_axi_sg.r", last ? "RLAST low on the last beat" : "RLAST high before the last beat");
                if (last) reads.pop_front();
            }
        }
        if (law) lite_aw++;
        if (lw) lite_w++;
        if (lb) {
            if (lite_aw <= 0 || lite_w <= 0) violation("s_axi_lite.b", "BVALID without a write request");
            lite_aw--; lite_w--;
        }
        if (lar) lite_rd++;
        if (lr) {
            if (lite_rd <= 0) violation("s_axi_lite.r", "RVALID without a read request");
            lite_rd--;
        }
    }

    void write_slave(WriteSlave& s, bool aw, uint64_t awaddr, unsigned awlen, bool w, uint64_t wdata, unsigned wstrb,
                     bool wlast, bool b, bool data_port) {
        uint64_t now = ctr[C_CLOCKS];
        if (aw) {
            s.aws.push_back({awaddr, awlen + 1, 0, 0});
            if (data_port) ctr[C_AW_BURSTS]++;
        }
        if (w) s.wq.push_back({wdata, wstrb, wlast});
        while (!s.wq.empty() && !s.aws.empty()) {
            auto& bt = s.wq.front();
            auto& bu = s.aws.front();
            uint64_t addr = (bu.addr & ~(uint64_t)(s.bytes - 1)) + (uint64_t)bu.done * s.bytes;
            if (bt.strb) {
                if (data_port) { ctr[C_W_BEATS]++; ctr[C_W_BYTES] += __builtin_popcount(bt.strb); }
                int resp = 0;
                uint8_t* p = mem.at(addr, s.bytes, true, &resp);
                if (p) {
                    for (unsigned i = 0; i < s.bytes; i++)
                        if (bt.strb >> i & 1) p[i] = (uint8_t)(bt.data >> (8 * i));
                } else {
                    ctr[C_REFUSED]++;
                    if (resp > bu.resp) bu.resp = resp;
                }
            }
            if (!data_port) ctr[C_SG_WRITES]++;
            if (++bu.done == bu.beats || bt.last) {
                s.bs.push_back({now + s.b_lat, bu.resp});
                s.aws.pop_front();
            }
            s.wq.pop_front();
        }
        if (b) s.bs.pop_front();
        // drive for the next edge
        s.awready = s.aw_p.next() && s.aws.size() < 8;
        s.wready = s.w_p.next() && s.wq.size() < 16;
        s.bvalid = !s.bs.empty() && s.bs.front().due <= now;
        s.bresp = s.bvalid ? s.bs.front().resp : 0;
    }

    void read_slave(ReadSlave& s, bool ar, uint64_t araddr, unsigned arlen, bool r, bool data_port) {
        uint64_t now = ctr[C_CLOCKS];
        if (ar) { s.ars.push_back({araddr, now + s.r_lat - 1, arlen + 1, 0}); ctr[data_port ? C_MM2S_READS : C_SG_READS]++; }
        if (r) {
            if (data_port) ctr[C_MM2S_R_BEATS]++;
            auto& rd = s.ars.front();
            if (++rd.done == rd.beats) s.ars.pop_front();
            s.rvalid = false;
        }
        s.arready = s.ar_p.next() && s.ars.size() < s.depth;
        if (!s.rvalid && !s.ars.empty() && s.ars.front().due <= now && s.r_p.next()) {
            auto& rd = s.ars.front();
            uint64_t addr = (rd.addr & ~(uint64_t)(s.bytes - 1)) + (uint64_t)rd.done * s.bytes;
            int resp = 0;
            uint8_t* p = mem.at(addr, s.bytes, false, &resp);
            uint64_t v = 0;
            if (p) std::memcpy(&v, p, s.bytes);
            else ctr[C_REFUSED]++;
            s.rvalid = true;
            s.rdata = v;
            s.rresp = resp;
            s.rlast = rd.done + 1 == rd.beats;
        }
    }

    void mm2s_rules(bool ar, uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned id,
                    bool r, bool rlast, bool t, unsigned keep, bool tlast) {
        if (ar) {
            burst_rules("m_axi_mm2s.ar", addr, len, size, burst, id, DB, HARNESS_MAX_BURST);
            mm2s_reads.push_back(len + 1);
        }
        if (r) {
            if (mm2s_reads.empty()) {
                violation("m_axi_mm2s.r", "R beat with no read outstanding");
            } else {
                bool last = --mm2s_reads.front() == 0;
                if (rlast != last) violation("m_axi_mm2s.r", last ? "RLAST low on the last beat" : "RLAST high before the last beat");
                if (last) mm2s_reads.pop_front();
            }
        }
        if (t) {
            unsigned full = (DB >= 32) ? 0xFFFFFFFFu : ((1u << DB) - 1);
            if (keep == 0 || (keep & (keep + 1)) != 0)
                violation("m_axis_mm2s.t", "TKEEP not contiguous from lane 0");
            else if (keep != full && !tlast)
                violation("m_axis_mm2s.t", "partial beat without TLAST");
        }
    }

    void sink(uint64_t data, unsigned keep, bool last) {
        ctr[C_MM2S_BEATS]++;
        for (unsigned i = 0; i < DB; i++)
            if (keep >> i & 1) { rx.push_back((uint8_t)(data >> (8 * i))); ctr[C_MM2S_BYTES]++; }
        if (last) { rx_ends.push_back(rx.size()); ctr[C_MM2S_PACKETS]++; }
    }

    // The stream source, as cocotbext-axi's AxiStreamSource: a new beat when the last one was
    // taken (or none was offered) and the pacing lets it.
    void stream(bool tv, bool tr, bool rst) {
        bool go;
        if (idle_duty) {
            go = idle_p.next();
        } else {
            acc += rate;
            go = acc >= 1.0;
            if (go) acc -= 1.0;
        }
        if (rst) { tvalid = false; return; }
        if (!((tv && tr) || !tv)) return;
        if (!go || !beat_ready()) { tvalid = false; return; }
        uint64_t data = 0;
        unsigned keep = 0, n = 0;
        bool last = false;
        while (n < DB && !chunks.empty()) {
            Chunk& c = chunks.front();
            unsigned k = (unsigned)std::min<uint64_t>(DB - n, c.data.size() - chunk_pos);
            for (unsigned i = 0; i < k; i++) { data |= (uint64_t)c.data[chunk_pos + i] << (8 * (n + i)); keep |= 1u << (n + i); }
            n += k;
            chunk_pos += k;
            ctr[C_STREAM_QUEUED] -= k;
            if (chunk_pos == c.data.size()) {
                last = c.last;
                chunks.pop_front();
                chunk_pos = 0;
                if (last) break;
            }
        }
        tvalid = true;
        top->s_axis_s2mm_tdata = data;
        top->s_axis_s2mm_tkeep = keep;
        top->s_axis_s2mm_tlast = last;
    }
    bool beat_ready() {  // a whole beat, or a packet's end, is queued
        uint64_t n = 0;
        for (auto& c : chunks) {
            n += c.data.size() - (&c == &chunks.front() ? chunk_pos : 0);
            if (n >= DB || c.last) return n > 0;
        }
        return false;
    }

    void lite(bool law, bool lw, bool lb, int lbresp, bool lar, bool lr, uint32_t lrdata, int lrresp) {
        if (lw_state == 2) {
            if (law) lw_aw_done = true;
            if (lw) lw_w_done = true;
            if (lb) { lw_state = 3; lw_resp = lbresp; }
        } else if (lw_state == 1 && --lw_delay == 0) {
            lw_state = 2;
        }
        if (lr_state == 2) {
            if (lar) lr_state = 4;
        } else if (lr_state == 4) {
            if (lr) { lr_state = 3; lr_data = lrdata; lr_resp = lrresp; }
        } else if (lr_state == 1 && --lr_delay == 0) {
            lr_state = 2;
        }
    }

    void drive() {
        Vsgdma* d = top;
        d->m_axi_s2mm_awready = s2mm.awready;
        d->m_axi_s2mm_wready = s2mm.wready;
        d->m_axi_s2mm_bvalid = s2mm.bvalid;
        d->m_axi_s2mm_bresp = s2mm.bresp;
        d->m_axi_s2mm_bid = 0;
        d->m_axi_sg_awready = sgw.awready;
        d->m_axi_sg_wready = sgw.wready;
        d->m_axi_sg_bvalid = sgw.bvalid;
        d->m_axi_sg_bresp = sgw.bresp;
        d->m_axi_sg_bid = 0;
        d->m_axi_sg_arready = sgr.arready;
        d->m_axi_sg_rvalid = sgr.rvalid;
        d->m_axi_sg_rdata = sgr.rdata;
        d->m_axi_sg_rresp = sgr.rresp;
        d->m_axi_sg_rlast = sgr.rlast;
        d->m_axi_sg_rid = 0;
        d->m_axi_mm2s_arready = mm2sr.arready;
        d->m_axi_mm2s_rvalid = mm2sr.rvalid;
        d->m_axi_mm2s_rdata = mm2sr.rdata;
        d->m_axi_mm2s_rresp = mm2sr.rresp;
        d->m_axi_mm2s_rlast = mm2sr.rlast;
        d->m_axi_mm2s_rid = 0;
        d->m_axis_mm2s_tready = sink_ready;
        d->s_axis_s2mm_tvalid = tvalid;
        bool wr = lw_state == 2;
        d->s_axi_lite_awvalid = wr && !lw_aw_done;
        d->s_axi_lite_awaddr = lw_addr;
        d->s_axi_lite_wvalid = wr && !lw_w_done;
        d->s_axi_lite_wdata = lw_data;
        d->s_axi_lite_bready = 1;
        d->s_axi_lite_arvalid = lr_state == 2;
        d->s_axi_lite_araddr = lr_addr;
        d->s_axi_lite_rready = 1;
    }

    // Runs up to `clocks` clocks; stops early (after the clock it happened in) on what `mask`
    // asks for.  Returns the reasons it stopped.
    int run(uint64_t clocks, int mask) {
        for (uint64_t i = 0; i < clocks; i++) {
            step();
            int why = 0;
            bool irq = top->s2mm_introut;
            if (irq && !irq_prev) { ctr[C_IRQ_RISES]++; if (mask & S_IRQ) why |= S_IRQ; }
            irq_prev = irq;
            bool mirq = top->mm2s_introut;
            if (mirq && !mm2s_irq_prev) { ctr[C_MM2S_IRQ_RISES]++; if (mask & S_MM2S_IRQ) why |= S_MM2S_IRQ; }
            mm2s_irq_prev = mirq;
            if ((mask & S_MM2S_PACKET) && rx_ends.size() > rx_seen) { rx_seen = rx_ends.size(); why |= S_MM2S_PACKET; }
            if ((mask & S_LITE) && (lw_state == 3 || lr_state == 3)) why |= S_LITE;
            if ((mask & S_VIOLATION) && ctr[C_VIOLATIONS]) why |= S_VIOLATION;
            if ((mask & S_STREAM_EMPTY) && chunks.empty() && !tvalid) why |= S_STREAM_EMPTY;
            if (why) return why;
        }
        return S_LIMIT;
    }
};

extern "C" {
Harness* sg_new() { return new Harness; }
void sg_free(Harness* h) { delete h; }
uint64_t* sg_counters(Harness* h) { return h->ctr; }
int sg_counter_count() { return C_COUNT; }
int sg_data_bytes() { return DB; }
int sg_run(Harness* h, uint64_t clocks, int mask) { return h->run(clocks, mask); }
void sg_set_reset(Harness* h, int asserted) {
    h->top->axi_resetn = !asserted;
    h->in_reset = asserted;
}
int sg_irq(Harness* h) { return h->top->s2mm_introut; }
int sg_mm2s_irq(Harness* h) { return h->top->mm2s_introut; }
// duty in 1/65536 of clocks TREADY is low on m_axis_mm2s
void sg_set_sink_backpressure(Harness* h, uint32_t duty, uint64_t seed) {
    h->sink_p.duty = duty; h->sink_p.s = seed * 0x9E3779B97F4A7C15ull + 3;
}
// bytes received on m_axis_mm2s so far, and packet ends; copies up to n of each from index `from`
uint64_t sg_rx_size(Harness* h) { return h->rx.size(); }
uint64_t sg_rx_packets(Harness* h) { return h->rx_ends.size(); }
uint64_t sg_rx_copy(Harness* h, uint64_t from, uint8_t* out, uint64_t n) {
    if (from >= h->rx.size()) return 0;
    uint64_t k = std::min<uint64_t>(n, h->rx.size() - from);
    std::memcpy(out, h->rx.data() + from, k);
    return k;
}
uint64_t sg_rx_ends(Harness* h, uint64_t from, uint64_t* out, uint64_t n) {
    if (from >= h->rx_ends.size()) return 0;
    uint64_t k = std::min<uint64_t>(n, h->rx_ends.size() - from);
    std::memcpy(out, h->rx_ends.data() + from, k * sizeof(uint64_t));
    return k;
}
void sg_rx_clear(Harness* h) { h->rx.clear(); h->rx_ends.clear(); h->rx_seen = 0; }
void sg_set_memory(Harness* h, uint8_t* base, uint64_t size, uint64_t phys_base) {
    h->mem.base = base; h->mem.size = size; h->mem.phys_base = phys_base;
}
void sg_set_page_table(Harness* h, const int64_t* pt, uint64_t base_pfn, uint64_t len) {
    h->mem.pt = pt; h->mem.pt_base = base_pfn; h->mem.pt_len = len; h->mem.identity = pt == nullptr;
}
void sg_add_fault(Harness* h, uint64_t lo, uint64_t hi, int kind, int resp) { h->mem.faults.push_back({lo, hi, kind, resp}); }
void sg_clear_faults(Harness* h) { h->mem.faults.clear(); }
int sg_take_refused(Harness* h, uint64_t* out, int n) {
    int k = (int)std::min<size_t>(n, h->mem.refused.size());
    std::memcpy(out, h->mem.refused.data(), k * sizeof(uint64_t));
    h->mem.refused.erase(h->mem.refused.begin(), h->mem.refused.begin() + k);
    return k;
}
// duty in 1/65536 of clocks not ready, per channel: 0 s2mm aw, 1 s2mm w, 2 sg aw, 3 sg w, 4 sg ar, 5 sg r,
// 6 mm2s ar, 7 mm2s r
void sg_set_backpressure(Harness* h, int which, uint32_t duty, uint64_t seed) {
    Pattern* p[8] = {&h->s2mm.aw_p, &h->s2mm.w_p, &h->sgw.aw_p, &h->sgw.w_p, &h->sgr.ar_p, &h->sgr.r_p,
                     &h->mm2sr.ar_p, &h->mm2sr.r_p};
    if (which < 0 || which > 7) return;
    p[which]->duty = duty;
    p[which]->s = seed * 0x9E3779B97F4A7C15ull + 1;
}
void sg_set_latency(Harness* h, unsigned b_lat, unsigned sg_b_lat, unsigned r_lat, unsigned mm2s_r_lat) {
    h->s2mm.b_lat = b_lat; h->sgw.b_lat = sg_b_lat; h->sgr.r_lat = r_lat ? r_lat : 1;
    h->mm2sr.r_lat = mm2s_r_lat ? mm2s_r_lat : 1;
}
void sg_set_rate(Harness* h, double rate, uint32_t idle_duty, uint64_t seed) {
    h->rate = rate; h->idle_duty = idle_duty; h->idle_p.duty = idle_duty;
    h->idle_p.s = seed * 0x9E3779B97F4A7C15ull + 7; h->acc = 0.0;
}
void sg_push_stream(Harness* h, const uint8_t* data, uint64_t n, int last) {
    h->chunks.push_back({std::vector<uint8_t>(data, data + n), last != 0});
    h->ctr[C_STREAM_QUEUED] += n;
}
void sg_clear_stream(Harness* h) { h->chunks.clear(); h->chunk_pos = 0; h->ctr[C_STREAM_QUEUED] = 0; h->tvalid = false; }
int sg_stream_busy(Harness* h) { return !h->chunks.empty() || h->tvalid; }
// For the checker's own test: a B response on m_axi_s2mm that no burst asked for.
void sg_plant_violation(Harness* h) { h->s2mm.bs.push_back({0, 0}); }
void sg_set_checker(Harness* h, int on) { h->checker = on != 0; }
int sg_violation(Harness* h, int i, char* out, int n) {
    if (i < 0 || i >= (int)h->violations.size()) return 0;
    std::snprintf(out, n, "%s", h->violations[i].c_str());
    return 1;
}
void sg_set_lite_delay(Harness* h, unsigned clocks) { h->lite_issue = clocks; }
// AXI-Lite: start a write/read (returns 0 if one is in progress), poll for its end.
int sg_lite_write(Harness* h, uint32_t addr, uint32_t data) {
    if (h->lw_state == 1 || h->lw_state == 2) return 0;
    h->lw_addr = addr; h->lw_data = data; h->lw_delay = h->lite_issue; h->lw_state = h->lite_issue ? 1 : 2;
    h->lw_aw_done = h->lw_w_done = false;
    h->ctr[C_LITE_WRITES]++;
    h->drive(); h->top->eval();
    return 1;
}
int sg_lite_read(Harness* h, uint32_t addr) {
    if (h->lr_state == 1 || h->lr_state == 2 || h->lr_state == 4) return 0;
    h->lr_addr = addr; h->lr_delay = h->lite_issue; h->lr_state = h->lite_issue ? 1 : 2;
    h->ctr[C_LITE_READS]++;
    h->drive(); h->top->eval();
    return 1;
}
// 1 done (resp in *resp, read data in *data), 0 still running, -1 none started
int sg_lite_write_done(Harness* h, int* resp) {
    if (h->lw_state != 3) return h->lw_state ? 0 : -1;
    *resp = h->lw_resp; h->lw_state = 0; return 1;
}
int sg_lite_read_done(Harness* h, uint32_t* data, int* resp) {
    if (h->lr_state != 3) return h->lr_state ? 0 : -1;
    *data = h->lr_data; *resp = h->lr_resp; h->lr_state = 0; return 1;
}
int sg_trace_open(Harness* h, const char* path) {
#if VM_TRACE
    Verilated::traceEverOn(true);
    h->tfp = new VerilatedFstC;
    h->top->trace(h->tfp, 99);
    h->tfp->open(path);
    return 1;
#else
    (void)h; (void)path;
    return 0;
#endif
}
void sg_trace_close(Harness* h) {
#if VM_TRACE
    if (h->tfp) { h->tfp->close(); delete h->tfp; h->tfp = nullptr; }
#else
    (void)h;
#endif
}
}
