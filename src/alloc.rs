//! The memory allocator: jemalloc, which allocates and frees the many small
//! nodes of the syntax trees about a fifth faster than the system's malloc
//! (`scripts/bench.sh` measures it). Each binary (and the parse-only
//! baseline) includes this file, so that the library leaves the choice to
//! whoever links it; targets jemalloc does not build on (MSVC) keep the
//! system's.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts. One arena for every thread
/// rather than four per core: the threads allocate through their own caches
/// anyway, and fewer arenas hold fewer half-empty pages. Pages freed go back
/// to the system after 30 ms rather than ten seconds, so that a run holds
/// little more memory than it uses (each file's tree is freed right after its
/// facts are taken), while the pages of one file's parse are reused for the
/// next instead of being returned and faulted in again: returning them at
/// once (`dirty_decay_ms:0`) took four times as many page faults and about
/// 0.2 s more system time over the benchmark corpus, for 2 MiB less peak RSS.
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: &[u8; 45] = b"narenas:1,dirty_decay_ms:30,muzzy_decay_ms:0\0";
