//! The hot-path budget's clock: wall-clock time less the share of it that the benchmark's threads
//! spent waiting for a CPU that other processes held.
//!
//! Linux counts, per thread, the time it ran and the time it was runnable but waiting for a CPU
//! (`/proc/self/task/<tid>/schedstat`). Over a sample, this clock reads the wall-clock time times
//! the share of the threads' runnable time they actually ran. On a quiet machine that share is 1:
//! the clock reads what criterion's `WallTime` reads, so a path over the policy's 5 ms budget
//! fails. On a busy one (a shared CI runner, a build beside the benchmarks) the waiting is the
//! load's doing, not the code's, and is left out: for a single-threaded path the reading is exactly
//! its quiet-machine time; for a parallel one it is an estimate that is exact when the threads
//! progress as they run (a work-stealing pool such as rayon's) and reads high when they wait for a
//! descheduled straggler. Time the hypervisor takes from the whole machine (steal) is not seen.
//! Without procfs (macOS, Windows) this is criterion's wall clock.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, ErrorKind};
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// Linux's `errno` for reading the files of a thread that ended after the listing.
const ESRCH: i32 = 3;

/// Whether reading a thread's file failed because the thread ended after the listing.
fn ended(error: &io::Error) -> bool {
    error.kind() == ErrorKind::NotFound || error.raw_os_error() == Some(ESRCH)
}

/// Criterion's wall clock, less the time other processes held the CPU (see the module docs).
pub(crate) struct UndelayedWallTime;

impl Measurement for UndelayedWallTime {
    type Intermediate = (Schedstat, Instant);
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        // Read before the clock starts: the reading itself is not measured.
        (Schedstat::now(), Instant::now())
    }

    fn end(&self, (before, started): Self::Intermediate) -> Self::Value {
        let elapsed = started.elapsed();
        let Times { ran, waited } = Schedstat::now().since(&before);
        if waited.is_zero() {
            return elapsed;
        }
        let (ran, waited) = (ran.as_secs_f64(), waited.as_secs_f64());
        elapsed.mul_f64(ran / (ran + waited))
    }

    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }

    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Self::Value) -> f64 {
        WallTime.to_f64(value)
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL_TIME: WallTime = WallTime;
        WALL_TIME.formatter()
    }
}

/// How long a thread has run and has waited for a CPU.
#[derive(Clone, Copy, Default)]
struct Times {
    ran: Duration,
    waited: Duration,
}

/// Every thread's [`Times`] so far, by thread id (empty where there is no procfs).
#[derive(Default)]
pub(crate) struct Schedstat(BTreeMap<String, Times>);

impl Schedstat {
    fn now() -> Self {
        Self::read().expect("reading the threads' CPU times from /proc/self/task/*/schedstat")
    }

    /// The threads' times since `before`, summed. A thread started since counts from zero; one
    /// that has ended is not seen (thread pools end theirs at any time), so it is left out of
    /// both sides.
    fn since(&self, before: &Self) -> Times {
        let mut sum = Times::default();
        for (thread, now) in &self.0 {
            let then = before.0.get(thread).copied().unwrap_or_default();
            sum.ran += now.ran.saturating_sub(then.ran);
            sum.waited += now.waited.saturating_sub(then.waited);
        }
        sum
    }

    /// Reads the first two fields (ns) of every `/proc/self/task/<tid>/schedstat`.
    #[allow(
        clippy::disallowed_methods,
        reason = "criterion reads its clock between samples, on the benchmark's own thread: no async runtime runs there"
    )]
    fn read() -> io::Result<Self> {
        let tasks = match fs::read_dir("/proc/self/task") {
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Self::default()),
            tasks => tasks?,
        };
        let mut threads = BTreeMap::new();
        for task in tasks {
            let task = task?;
            let stat = match fs::read_to_string(task.path().join("schedstat")) {
                Ok(stat) => stat,
                Err(error) if ended(&error) => continue,
                Err(error) => return Err(error),
            };
            let mut fields = stat.split_whitespace().map(str::parse::<u64>);
            let mut next = || match fields.next() {
                Some(Ok(nanos)) => Ok(Duration::from_nanos(nanos)),
                _ => Err(io::Error::new(ErrorKind::InvalidData, format!("schedstat: {stat}"))),
            };
            let times = Times { ran: next()?, waited: next()? };
            threads.insert(task.file_name().to_string_lossy().into_owned(), times);
        }
        Ok(Self(threads))
    }
}
