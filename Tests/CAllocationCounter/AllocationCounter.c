// A test-only malloc counter; see include/CAllocationCounter.h.
//
// The functions below take the place of the C library's for the whole process (the executable's
// definitions come first in ELF symbol lookup). They forward to glibc's exported __libc_* entry
// points, which avoids dlsym(RTLD_NEXT, ...) and its own allocations while resolving. Counting costs
// a thread-local flag test on every call; the counters are relaxed atomics.

#include "CAllocationCounter.h"

#if defined(__linux__) && defined(__GLIBC__)

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static _Atomic int64_t allocations;
static _Atomic int64_t frees;
static __thread bool counting;

static inline void count_allocation(void) {
    if (counting) atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
}

void *malloc(size_t size) {
    count_allocation();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_allocation();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_allocation();
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (counting && pointer != NULL) atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    count_allocation();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_allocation();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_allocation();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}

bool gl_allocation_counter_available(void) { return true; }

void gl_allocation_counter_count_this_thread(bool on) { counting = on; }

int64_t gl_allocation_counter_allocations(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

int64_t gl_allocation_counter_frees(void) { return atomic_load_explicit(&frees, memory_order_relaxed); }

#else

bool gl_allocation_counter_available(void) { return false; }
void gl_allocation_counter_count_this_thread(bool on) { (void)on; }
int64_t gl_allocation_counter_allocations(void) { return 0; }
int64_t gl_allocation_counter_frees(void) { return 0; }

#endif
