//! `Failure`: how a command failed, which decides the exit status.

/// How a run failed: bad input (exit status 2), a failure mid-run (exit status 1) or Ctrl-C
/// (exit status 130).
#[derive(Debug)]
pub enum Failure {
    /// A usage or input error, found before training started.
    Input(anyhow::Error),
    /// A failure during training, e.g. divergence.
    Run(anyhow::Error),
    /// Ctrl-C stopped training (exit status 130); the message says where and what was saved.
    Interrupted(String),
}
