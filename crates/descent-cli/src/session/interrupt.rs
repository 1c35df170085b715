//! Ctrl-C: the first press asks training to stop after the current batch; a second one exits
//! at once with status 130.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C handler; the trainer stops after the batch it is in.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C (SIGINT) handler (it runs on a thread of its own: install it after
/// the thread count is set).
pub fn install_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}
