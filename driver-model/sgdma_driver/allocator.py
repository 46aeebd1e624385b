"""A contiguous-memory allocator (buddy system, as the kernel's page allocator and CMA use).

Blocks are physically contiguous runs of 2**order pages.  ``fragment()`` scatters long-lived
allocations over memory the way a running system does, so that N buffers allocated one after
the other come out physically discontiguous, as on real hardware.  Named blocks (seed 004's
ioctl interface), free by handle or by name, and free-all for an owner (device close).
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from typing import Callable

from .physmem import PAGE_SHIFT, PAGE_SIZE, PhysicalMemory, check_int


class OutOfMemoryError(MemoryError):
    """No free contiguous block is large enough (the kernel's -ENOMEM).  ``index``: in a
    multi-block request, which block did not fit (None otherwise)."""

    index: int | None = None


@dataclass(slots=True)
class Block:
    phys: int
    size: int          # requested bytes
    order: int
    handle: int
    name: str | None = None
    owner: object | None = None
    freed: bool = False
    #: Called with the block once it is freed, by whatever path (free, free_all): the DMA
    #: layer uses it to end CPU access and tear down the device's IOMMU mappings of it.
    on_free: list[Callable[["Block"], None]] = field(default_factory=list, repr=False, compare=False)

    @property
    def pages(self) -> int:
        return 1 << self.order

    @property
    def span(self) -> int:
        return self.pages * PAGE_SIZE


@dataclass
class BuddyAllocator:
    mem: PhysicalMemory
    max_order: int = 12
    #: With a seed, a free block is picked at random among those of the right size (as on a
    #: system that has been running a while); without, the lowest address first.
    seed: int | None = None
    _free: list[set[int]] = field(init=False)
    _blocks: dict[int, Block] = field(init=False, default_factory=dict)
    _names: dict[str, int] = field(init=False, default_factory=dict)
    _next_handle: int = field(init=False, default=1)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed) if self.seed is not None else None
        self._free = [set() for _ in range(self.max_order + 1)]
        page, pages = 0, self.mem.pages
        while page < pages:  # carve memory into the largest aligned blocks
            order = self.max_order
            while order and (page % (1 << order) or page + (1 << order) > pages):
                order -= 1
            self._free[order].add(page)
            page += 1 << order

    # -- queries ---------------------------------------------------------------------------
    def snapshot(self) -> tuple:
        """Everything that decides what the next allocation returns (free lists, the placement
        generator's state, the live blocks): equal snapshots, identical futures."""
        return ([sorted(s) for s in self._free], self._rng.getstate() if self._rng else None,
                sorted(b.handle for b in self.blocks()))

    def free_bytes(self) -> int:
        return sum(len(s) << (o + PAGE_SHIFT) for o, s in enumerate(self._free))

    def largest_free(self) -> int:
        for o in range(self.max_order, -1, -1):
            if self._free[o]:
                return PAGE_SIZE << o
        return 0

    def blocks(self, owner: object | None = None) -> list[Block]:
        return [b for b in self._blocks.values() if owner is None or b.owner is owner]

    def lookup(self, name: str) -> Block:
        if name not in self._names:
            raise KeyError(f"no block named {name!r}")
        return self._blocks[self._names[name]]

    # -- allocation ------------------------------------------------------------------------
    def _order_of(self, size: object) -> int:
        """The block order for ``size`` bytes; ValueError naming a size that is not a positive
        integer or exceeds the largest block."""
        if size.__class__ is not int or size <= 0:
            if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
                raise ValueError(f"allocation size must be a positive number of bytes, got {size!r}")
        order = (-(-size // PAGE_SIZE) - 1).bit_length()
        if order > self.max_order:
            raise ValueError(f"allocation of {size} bytes exceeds the largest block "
                             f"({PAGE_SIZE << self.max_order} bytes, order {self.max_order})")
        return order

    def _no_block(self, size: int) -> OutOfMemoryError:
        return OutOfMemoryError(f"cannot allocate {size} contiguous bytes: largest free block is "
                                f"{self.largest_free()} bytes, {self.free_bytes()} bytes free in all")

    def alloc(self, size: int, name: str | None = None, owner: object | None = None) -> Block:
        order = self._order_of(size)
        if name is not None:
            if not isinstance(name, str):
                raise TypeError(f"block name must be a string or None, got {name!r}")
            if name in self._names:
                raise ValueError(f"a block named {name!r} already exists")
        top, free = self.max_order, self._free
        o = order
        while o <= top and not free[o]:
            o += 1
        if o > top:
            raise self._no_block(size)
        fo = free[o]
        page = self._rng.choice(sorted(fo)) if self._rng else min(fo)
        fo.remove(page)
        while o > order:  # split, keeping the low half
            o -= 1
            free[o].add(page + (1 << o))
        handle = self._next_handle
        blk = Block(self.mem.base + (page << PAGE_SHIFT), size, order, handle, name, owner)
        self._next_handle = handle + 1
        self._blocks[handle] = blk
        if name is not None:
            self._names[name] = blk.handle
        return blk

    def alloc_many(self, size: int, count: int, owner: object | None = None) -> list[Block]:
        """``count`` blocks of ``size`` bytes in one walk of the free lists, placed exactly as
        ``count`` calls of ``alloc`` would place them (same addresses, handles and random
        choices).  All or nothing: if memory runs out at block ``i``, the blocks taken so far
        are freed again, the allocator is as before the call, and the OutOfMemoryError's
        ``index`` is ``i``."""
        order = self._order_of(size)
        count = check_int("number of blocks", count, lo=1)
        mark = self.checkpoint()
        top, free, rng, blocks = self.max_order, self._free, self._rng, self._blocks
        base, handle = self.mem.base, self._next_handle
        out: list[Block] = []
        # Each free list touched is also kept sorted for the span of the call, so picking the
        # k-th lowest free block (what alloc's choice over the sorted set picks, from the same
        # draw) costs no sort per block.
        ordered: dict[int, list[int]] = {}
        # rng.choice(range(n)) draws getrandbits(n.bit_length()) until the draw is below n
        # (CPython's Random._randbelow_with_getrandbits): that loop inline, where it is the one
        # this Random uses, gives the same draws without the calls around it
        getrandbits = rng.getrandbits if rng and getattr(type(rng), "_randbelow", None) is \
            getattr(random.Random, "_randbelow_with_getrandbits", 0) else None
        for i in range(count):
            o = order
            while o <= top and not free[o]:
                o += 1
            if o > top:
                self._next_handle = handle
                err = self._no_block(size)
                for b in reversed(out):
                    self.free(b)
                self.roll_back(mark)
                err.index = i
                raise err
            fo, lst = free[o], ordered.get(o)
            if lst is None:
                lst = ordered[o] = sorted(fo)
            if getrandbits is not None:
                n = len(lst)
                k = n.bit_length()
                r = getrandbits(k)
                while r >= n:
                    r = getrandbits(k)
                page = lst.pop(r)
            else:
                page = lst.pop(rng.choice(range(len(lst))) if rng else 0)
            fo.remove(page)
            while o > order:  # split, keeping the low half
                o -= 1
                free[o].add(page + (1 << o))
                if o in ordered:
                    bisect.insort(ordered[o], page + (1 << o))
            blk = Block(base + (page << PAGE_SHIFT), size, order, handle, None, owner)
            blocks[handle] = blk
            out.append(blk)
            handle += 1
        self._next_handle = handle
        return out

    # -- all-or-nothing operations ---------------------------------------------------------------
    def checkpoint(self) -> tuple[int, object]:
        """A mark to roll back to after a multi-step operation failed part-way."""
        return self._next_handle, self._rng.getstate() if self._rng else None

    def roll_back(self, mark: tuple[int, object]) -> None:
        """Back to ``mark``: every block allocated since must have been freed again.  The free
        lists are then those of the mark (buddies merge the same way), and the handle counter
        and the random placement continue as if the operation had never been tried."""
        handle, rng_state = mark
        late = [b for b in self._blocks.values() if b.handle >= handle]
        if late:
            raise RuntimeError(f"allocator roll-back with {len(late)} block(s) allocated since the mark still live")
        self._next_handle = handle
        if self._rng is not None:
            self._rng.setstate(rng_state)

    def free(self, what: int | str | Block) -> None:
        """Free by handle, name or Block. Double free and unknown handles are errors."""
        if isinstance(what, Block):
            handle = what.handle
        elif isinstance(what, str):
            handle = self.lookup(what).handle
        else:
            handle = what
        blk = self._blocks.get(handle) if isinstance(handle, int) and not isinstance(handle, bool) else None
        if blk is None or (isinstance(what, Block) and blk is not what):
            raise ValueError(f"free of unknown or already freed block handle {handle!r}")
        del self._blocks[handle]
        if blk.name is not None:
            self._names.pop(blk.name, None)
        page, order = (blk.phys - self.mem.base) >> PAGE_SHIFT, blk.order
        while order < self.max_order:  # merge with free buddies
            buddy = page ^ (1 << order)
            if buddy not in self._free[order]:
                break
            self._free[order].remove(buddy)
            page = min(page, buddy)
            order += 1
        self._free[order].add(page)
        blk.freed = True
        for hook in blk.on_free:
            hook(blk)

    def free_all(self, owner: object) -> int:
        """Free every block of ``owner`` (the file was closed); returns how many.  Each block's
        ``on_free`` hooks run, so DMA buffers among them stop being reachable by the CPU and,
        through the IOMMU, by the device."""
        blocks = self.blocks(owner)
        for b in blocks:
            self.free(b)
        return len(blocks)

    def fragment(self, seed: int = 0, fraction: float = 0.3, max_order: int = 4) -> list[Block]:
        """Pin scattered small allocations (other users of RAM), leaving holes between them."""
        rng = random.Random(seed)
        target = int(self.mem.size * fraction)
        pinned, used = [], 0
        while used < target:
            try:
                b = self.alloc(PAGE_SIZE << rng.randint(0, max_order), owner="fragmentation")
            except OutOfMemoryError:
                break
            pinned.append(b)
            used += b.span
        rng.shuffle(pinned)
        keep = pinned[: len(pinned) // 2]
        for b in pinned[len(pinned) // 2:]:
            self.free(b)
        return keep
