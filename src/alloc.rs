//! The memory allocator: jemalloc, which allocates and frees the many small
//! nodes of the syntax trees about a fifth faster than the system's malloc
//! (`scripts/bench.sh` measures it).

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts: pages freed go back to the
/// system at once rather than after ten seconds, so that a run holds no more
/// memory than it uses (a run is short; the trees of each file are freed
/// right after its facts are taken).
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: &[u8; 34] = b"dirty_decay_ms:0,muzzy_decay_ms:0\0";
