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

use std::fs;
use std::io::{self, ErrorKind};
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

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
        let after = Schedstat::now();
        let ran = after.ran.saturating_sub(before.ran).as_secs_f64();
        let waited = after.waited.saturating_sub(before.waited).as_secs_f64();
        if waited == 0.0 {
            return elapsed;
        }
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

/// The time the process's threads have run and have waited for a CPU so far, summed.
#[derive(Clone, Copy, Default)]
pub(crate) struct Schedstat {
    ran: Duration,
    waited: Duration,
}

impl Schedstat {
    fn now() -> Self {
        Self::read().expect("reading the threads' CPU times from /proc/self/task/*/schedstat")
    }

    /// Sums the first two fields (ns) of every `/proc/self/task/<tid>/schedstat`; zeros where
    /// there is no procfs.
    #[allow(
        clippy::disallowed_methods,
        reason = "criterion reads its clock between samples, on the benchmark's own thread: no async runtime runs there"
    )]
    fn read() -> io::Result<Self> {
        let tasks = match fs::read_dir("/proc/self/task") {
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Self::default()),
            tasks => tasks?,
        };
        let mut sum = Self::default();
        for task in tasks {
            match fs::read_to_string(task?.path().join("schedstat")) {
                Ok(stat) => {
                    let mut fields = stat.split_whitespace().map(str::parse::<u64>);
                    let mut next = || match fields.next() {
                        Some(Ok(nanos)) => Ok(Duration::from_nanos(nanos)),
                        _ => Err(io::Error::new(
                            ErrorKind::InvalidData,
                            format!("schedstat: {stat}"),
                        )),
                    };
                    sum.ran += next()?;
                    sum.waited += next()?;
                }
                // A thread that ended after the listing: skipped (its share is lost on both sides).
                Err(error) if error.kind() == ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
        Ok(sum)
    }
}
