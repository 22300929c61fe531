#ifndef GREENLIGHT_C_ALLOCATION_COUNTER_H
#define GREENLIGHT_C_ALLOCATION_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/// A test-only malloc counter. Linked into a test binary, it defines malloc, calloc, realloc,
/// posix_memalign, aligned_alloc and memalign (forwarding to glibc's own entry points), so every
/// allocation in the process passes through it. It counts only allocations made on threads that
/// asked to be counted, so tests and servers running on other threads do not disturb a count.
///
/// Available on Linux with glibc; elsewhere `gl_allocation_counter_available` returns false.

/// Whether allocations are interposed and can be counted in this process.
bool gl_allocation_counter_available(void);

/// Starts (true) or stops (false) counting the allocations of the calling thread.
void gl_allocation_counter_count_this_thread(bool on);

/// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) counted so far.
int64_t gl_allocation_counter_allocations(void);

/// Free calls counted so far (only those on counted threads).
int64_t gl_allocation_counter_frees(void);

#endif
