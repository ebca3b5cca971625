//! Work that can wait: monitoring's decoding and arithmetic run on threads of their
//! own, at a lower priority than the threads that serve requests, so that a round
//! of monitoring during a flood of feedback slows itself rather than the pages.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

type Job = Box<dyn FnOnce() + Send>;

/// How much lower than the request threads: nice 10 (of 19).
const NICENESS: i32 = 10;

/// Runs `work` on a background thread; `None` when it panicked.
pub async fn in_background<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(catch_unwind(AssertUnwindSafe(work)));
    });
    queue().send(job).ok()?;
    answered.await.ok()?.ok()
}

/// The jobs' queue, with one thread per core taking from it, started on first use.
fn queue() -> &'static mpsc::Sender<Job> {
    static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        for n in 0..threads {
            let receiver = receiver.clone();
            let work = move || {
                lower_priority();
                while let Some(job) = next(&receiver) {
                    job();
                }
            };
            // As `std::thread::spawn` (and tokio's blocking pool) do, a thread that cannot start is a panic.
            std::thread::Builder::new()
                .name(format!("background-{n}"))
                .spawn(work)
                .expect("a background thread starts");
        }
        sender
    })
}

/// The next job; the queue is locked while it is taken, not while it runs.
fn next(receiver: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
    receiver.lock().ok()?.recv().ok()
}

/// Lowers this thread's priority, and that of the threads it starts (which inherit
/// it): on Linux each thread has a nice value of its own.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority changes only the calling thread's nice value; it reads no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {
    let _ = NICENESS;
}
