//! Splitting work over the cores: the thread count, a pool of persistent
//! helper threads, and the one safe way kernels split a slice into
//! disjoint parts for them ([`chunks_mut`], [`chunks_mut4`]).
//!
//! The pool is as safe as `std::thread::scope`: `run` returns (or unwinds)
//! only after every chunk a thread claimed has finished; a panic in any
//! chunk, on the caller or a helper, is caught there, the remaining chunks
//! are skipped, and the first panic is resumed on the caller once all are
//! done. Nothing is poisoned: the next product uses the helpers as before.
//! Helpers persist, so a warmed product neither spawns nor allocates.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads large products and updates may use (`0` restores
/// the default: `RAYON_NUM_THREADS` if set, else every available core).
/// Small products always run on the calling thread. Results are
/// bit-identical whatever the count.
///
/// ```
/// typenet::set_num_threads(1);
/// assert_eq!(typenet::num_threads(), 1);
/// typenet::set_num_threads(0);
/// assert!(typenet::num_threads() >= 1);
/// ```
pub fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// How many threads large products use.
///
/// ```
/// assert!(typenet::num_threads() >= 1);
/// ```
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// A task on the caller's stack frame, its lifetime erased. `run` waits
/// for every chunk it hands out before returning or unwinding, and a
/// helper calls the task only for a chunk it claimed in the task's
/// generation, so the pointer is never used after `run` returns.
#[derive(Clone, Copy)]
struct TaskRef(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the task is `Sync`, and outlives every use (see above).
unsafe impl Send for TaskRef {}

struct Published {
    generation: u64,
    task: Option<TaskRef>,
    chunks: usize,
    /// Helpers numbered below this take part (the caller is thread 0).
    workers: usize,
    helpers: usize,
}

struct Pool {
    published: Mutex<Published>,
    wake: Condvar,
    generation: AtomicU64,
    /// The generation's low [`TAG_BITS`] bits above the next unclaimed
    /// chunk's index (low [`CHUNK_BITS`] bits): one word, so a claim is one
    /// compare-exchange that fails for a helper of an older generation.
    next: AtomicU64,
    /// Chunks finished (or skipped after a panic) in this generation.
    done: AtomicUsize,
    /// Set after a panic: the remaining chunks are skipped.
    cancelled: AtomicBool,
    /// The first panic of this generation.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// One product at a time; a second caller runs its product alone.
    busy: AtomicBool,
}

/// Bits of `Pool::next` holding the next chunk: a run of more chunks
/// deals them out in groups (see `run`).
const CHUNK_BITS: u32 = 16;
const CHUNK_MASK: u64 = (1 << CHUNK_BITS) - 1;
/// Bits of the generation tag. A helper that read generation `g` and was
/// then suspended before its claim could take a chunk of a later run only
/// if that run's tag equals `g`'s, i.e. after 2^48 more parallel runs
/// while it stayed suspended between two instructions: each run is a
/// product of at least `PARALLEL_PRODUCT` multiply-adds or a copy of as
/// many values (a microsecond at the very least), so 2^48 of them take
/// nine years of uninterrupted work. (With 32 bits, 2^32 runs take an
/// hour or two of small products: a stale helper would then call a
/// dangling task.)
const TAG_BITS: u32 = 64 - CHUNK_BITS;

/// `generation`'s tag in `Pool::next`, chunk index zero.
fn tag(generation: u64) -> u64 {
    (generation % (1 << TAG_BITS)) << CHUNK_BITS
}

/// How long an idle helper spins before sleeping: a training loop's next
/// large product usually comes sooner than a futex wake-up.
const SPIN: Duration = Duration::from_micros(200);

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        published: Mutex::new(Published { generation: 0, task: None, chunks: 0, workers: 0, helpers: 0 }),
        wake: Condvar::new(),
        generation: AtomicU64::new(0),
        next: AtomicU64::new(0),
        done: AtomicUsize::new(0),
        cancelled: AtomicBool::new(false),
        panic: Mutex::new(None),
        busy: AtomicBool::new(false),
    })
}

/// Releases the pool when the caller's `run` ends, by return or by unwind.
struct BusyGuard(&'static Pool);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.published.lock().unwrap_or_else(PoisonError::into_inner).task = None;
        self.0.busy.store(false, Ordering::Release);
    }
}

/// Runs one claimed chunk, catching a panic and counting the chunk done.
fn run_chunk(pool: &Pool, task: TaskRef, chunk: usize) {
    if !pool.cancelled.load(Ordering::Relaxed) {
        // SAFETY: see `TaskRef`; this chunk was claimed in the task's generation.
        let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { (*task.0)(chunk) }));
        if let Err(payload) = outcome {
            pool.cancelled.store(true, Ordering::Relaxed);
            let mut first = pool.panic.lock().unwrap_or_else(PoisonError::into_inner);
            first.get_or_insert(payload);
        }
    }
    pool.done.fetch_add(1, Ordering::AcqRel);
}

/// Claims and runs chunks of `generation` until none are left.
fn work(pool: &Pool, generation: u64, chunks: usize, task: TaskRef) {
    let tag = tag(generation);
    let mut current = pool.next.load(Ordering::Acquire);
    loop {
        if current & !CHUNK_MASK != tag || (current & CHUNK_MASK) as usize >= chunks {
            return;
        }
        match pool.next.compare_exchange_weak(current, current + 1, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                run_chunk(pool, task, (current & CHUNK_MASK) as usize);
                current = pool.next.load(Ordering::Acquire);
            }
            Err(actual) => current = actual,
        }
    }
}

/// Helper `id` (1-based); `seen` is the generation current when it was
/// spawned: the first product it must help with may be published before it
/// starts.
fn helper(id: usize, mut seen: u64) {
    let pool = pool();
    loop {
        let start = Instant::now();
        let mut spins = 0u32;
        while pool.generation.load(Ordering::Acquire) == seen {
            std::hint::spin_loop();
            spins += 1;
            if spins.is_multiple_of(256) && start.elapsed() > SPIN {
                break;
            }
        }
        let mut published = pool.published.lock().unwrap_or_else(PoisonError::into_inner);
        while published.generation == seen {
            published = pool.wake.wait(published).unwrap_or_else(PoisonError::into_inner);
        }
        seen = published.generation;
        let (task, chunks, workers) = (published.task, published.chunks, published.workers);
        drop(published);
        if let Some(task) = task.filter(|_| id < workers) {
            work(pool, seen, chunks, task);
        }
    }
}

/// Runs `task(0..chunks)` on up to `threads` threads, the caller included,
/// each chunk exactly once (or, after a panic, the rest skipped); returns
/// when all are done and resumes the first panic, if any.
pub(crate) fn run(threads: usize, chunks: usize, task: &(dyn Fn(usize) + Sync + '_)) {
    const MOST: usize = CHUNK_MASK as usize;
    if chunks > MOST {
        // More chunks than `Pool::next` counts: consecutive groups, each
        // one chunk of the pool's, so every index still runs once.
        let group = chunks.div_ceil(MOST);
        let grouped = |g: usize| (g * group..((g + 1) * group).min(chunks)).for_each(task);
        return run(threads, chunks.div_ceil(group), &grouped);
    }
    let pool = pool();
    let acquired = threads > 1
        && chunks > 1
        && pool.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok();
    if !acquired {
        (0..chunks).for_each(task);
        return;
    }
    let guard = BusyGuard(pool);
    // SAFETY: erases the lifetime only; every chunk is done before this
    // function returns or unwinds (the wait below cannot panic).
    let erased = TaskRef(unsafe {
        std::mem::transmute::<&(dyn Fn(usize) + Sync + '_), *const (dyn Fn(usize) + Sync + 'static)>(task)
    });
    let generation = publish(pool, threads, chunks, erased);
    pool.wake.notify_all();
    work(pool, generation, chunks, erased);
    let start = Instant::now();
    while pool.done.load(Ordering::Acquire) != chunks {
        std::hint::spin_loop();
        if start.elapsed() > Duration::from_micros(500) {
            std::thread::yield_now();
        }
    }
    let panic = pool.panic.lock().unwrap_or_else(PoisonError::into_inner).take();
    drop(guard);
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
}

/// Starts helpers up to `threads - 1` and publishes a new generation.
fn publish(pool: &'static Pool, threads: usize, chunks: usize, task: TaskRef) -> u64 {
    let mut published = pool.published.lock().unwrap_or_else(PoisonError::into_inner);
    while published.helpers < threads - 1 {
        let (id, seen) = (published.helpers + 1, published.generation);
        let spawned =
            std::thread::Builder::new().name(format!("typenet-worker-{id}")).spawn(move || helper(id, seen));
        if spawned.is_err() {
            break;
        }
        published.helpers += 1;
    }
    published.generation += 1;
    let generation = published.generation;
    pool.done.store(0, Ordering::Release);
    pool.cancelled.store(false, Ordering::Relaxed);
    pool.next.store(tag(generation), Ordering::Release);
    published.task = Some(task);
    published.chunks = chunks;
    published.workers = threads;
    pool.generation.store(generation, Ordering::Release);
    generation
}

/// Runs `f(start, part)` over consecutive parts of `dst` of `size` values
/// (the last may be shorter), in parallel on up to `threads` threads.
pub(crate) fn chunks_mut<F>(dst: &mut [f32], size: usize, threads: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    let size = size.max(1);
    let len = dst.len();
    let parts = Shared::new(dst);
    run(threads, len.div_ceil(size), &|i| {
        let start = i * size;
        let end = (start + size).min(len);
        // SAFETY: `run` calls each index once; the ranges of distinct
        // indices are disjoint and lie within `dst`, which is borrowed
        // mutably for the whole call.
        let part = unsafe { std::slice::from_raw_parts_mut(parts.offset(start).ptr(), end - start) };
        f(start, part);
    });
}

/// Runs `f` over matching parts of four slices of one length, in parallel.
///
/// # Panics
/// If the slices differ in length.
pub(crate) fn chunks_mut4<F>(
    a: &mut [f32],
    b: &[f32],
    c: &mut [f32],
    d: &mut [f32],
    size: usize,
    threads: usize,
    f: F,
) where
    F: Fn(&mut [f32], &[f32], &mut [f32], &mut [f32]) + Sync,
{
    let len = a.len();
    assert!(
        b.len() == len && c.len() == len && d.len() == len,
        "parallel parts of slices of different lengths ({len}, {}, {}, {})",
        b.len(),
        c.len(),
        d.len()
    );
    let size = size.max(1);
    let (pa, pc, pd) = (Shared::new(a), Shared::new(c), Shared::new(d));
    run(threads, len.div_ceil(size), &|i| {
        let start = i * size;
        let end = (start + size).min(len);
        // SAFETY: as in `chunks_mut`, for each of the three mutable slices,
        // which all hold `len` values (checked above).
        let (a, c, d) = unsafe {
            (
                std::slice::from_raw_parts_mut(pa.offset(start).ptr(), end - start),
                std::slice::from_raw_parts_mut(pc.offset(start).ptr(), end - start),
                std::slice::from_raw_parts_mut(pd.offset(start).ptr(), end - start),
            )
        };
        f(a, &b[start..end], c, d);
    });
}

/// A pointer into a slice that parallel tasks write disjoint parts of.
/// Making and moving it is safe; every dereference is an `unsafe` block
/// that says why its range is the task's alone.
#[derive(Clone, Copy)]
pub(crate) struct Shared(*mut f32);

// SAFETY: the pointer itself is plain data; what tasks do through it is
// covered at each dereference.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    /// The start of `slice`.
    pub(crate) fn new(slice: &mut [f32]) -> Self {
        Shared(slice.as_mut_ptr())
    }
    /// The pointer `count` values on (wrapping: only a dereference needs it
    /// in bounds).
    pub(crate) fn offset(self, count: usize) -> Self {
        Shared(self.0.wrapping_add(count))
    }
    /// The raw pointer.
    pub(crate) fn ptr(self) -> *mut f32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Tests that change the thread count or rely on the pool run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    #[test]
    fn every_chunk_runs_exactly_once() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let counts: Vec<AtomicUsize> = (0..97).map(|_| AtomicUsize::new(0)).collect();
        run(4, 97, &|i| {
            counts[i].fetch_add(1, Ordering::Relaxed);
        });
        assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }

    #[test]
    fn a_panic_in_a_chunk_reaches_the_caller_after_all_chunks_and_leaves_the_pool_working() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        for bad in [0, 5, 63] {
            let finished = AtomicUsize::new(0);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                run(3, 64, &|i| {
                    if i == bad {
                        panic!("chunk {i} fails");
                    }
                    std::thread::sleep(Duration::from_micros(50));
                    finished.fetch_add(1, Ordering::Relaxed);
                });
            }));
            let message = outcome.expect_err("the panic reaches the caller");
            assert_eq!(
                message.downcast_ref::<String>().map(String::as_str),
                Some(format!("chunk {bad} fails").as_str())
            );
            assert!(finished.load(Ordering::Relaxed) < 64);
            // Nothing is poisoned: the next run uses the pool again.
            let threads_seen = Mutex::new(std::collections::HashSet::new());
            run(3, 64, &|_| {
                std::thread::sleep(Duration::from_micros(20));
                threads_seen.lock().unwrap().insert(std::thread::current().id());
            });
            assert!(!pool().busy.load(Ordering::Relaxed));
            assert!(!threads_seen.lock().unwrap().is_empty());
        }
    }

    #[test]
    fn helpers_above_the_thread_count_take_no_chunks() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        // Start three helpers, then ask for two threads: only one helper may help.
        run(4, 16, &|_| std::thread::sleep(Duration::from_micros(20)));
        for _ in 0..20 {
            let threads = Mutex::new(std::collections::HashSet::new());
            run(2, 32, &|_| {
                threads.lock().unwrap().insert(std::thread::current().name().map(str::to_string));
                std::thread::sleep(Duration::from_micros(20));
            });
            let names = threads.into_inner().unwrap();
            assert!(names.len() <= 2, "{names:?}");
            assert!(!names.contains(&Some("typenet-worker-2".to_string())), "{names:?}");
            assert!(!names.contains(&Some("typenet-worker-3".to_string())), "{names:?}");
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "200,000 chunks take Miri too long")]
    fn more_chunks_than_the_claim_counter_holds_each_run_once() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let chunks = 3 * CHUNK_MASK as usize + 17;
        let counts: Vec<AtomicUsize> = (0..chunks).map(|_| AtomicUsize::new(0)).collect();
        run(3, chunks, &|i| {
            counts[i].fetch_add(1, Ordering::Relaxed);
        });
        assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }

    #[test]
    fn generations_2_to_the_32_apart_have_different_tags() {
        for generation in [1u64, 5, (1 << 32) - 1, 1 << 40] {
            assert_ne!(tag(generation), tag(generation + (1 << 32)));
            assert_ne!(tag(generation), tag(generation + 1));
            assert_eq!(tag(generation) & CHUNK_MASK, 0, "the chunk bits start at zero");
        }
        // The tag wraps only after 2^48 generations (see `TAG_BITS`).
        assert_eq!(tag(7), tag(7 + (1 << TAG_BITS)));
    }

    #[test]
    fn parallel_parts_cover_the_slice() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let mut data = vec![0.0f32; 1003];
        chunks_mut(&mut data, 100, 3, |start, part| {
            for (i, v) in part.iter_mut().enumerate() {
                *v = (start + i) as f32;
            }
        });
        assert!(data.iter().enumerate().all(|(i, &v)| v == i as f32));
    }

    #[test]
    #[should_panic(expected = "slices of different lengths")]
    fn parts_of_slices_of_different_lengths_are_refused() {
        let (mut a, b, mut c, mut d) = (vec![0.0; 10], vec![0.0; 9], vec![0.0; 10], vec![0.0; 10]);
        chunks_mut4(&mut a, &b, &mut c, &mut d, 4, 2, |_, _, _, _| {});
    }
}
