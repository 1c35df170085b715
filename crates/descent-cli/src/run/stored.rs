//! The settings a checkpoint stores as `setting.<flag>` entries (the flag's text, defaults
//! included), and reading them back for `--resume`: each value parsed once, where the
//! command line does not give the flag.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::PathBuf;

use anyhow::anyhow;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use crate::args::TrainArgs;

/// Flags that are not settings of the run: never stored, never taken from a checkpoint.
const NOT_STORED: [&str; 11] = [
    "epochs",
    "prefetch",
    "init",
    "save",
    "plot",
    "history",
    "final_eval",
    "quiet",
    "resume",
    "checkpoint_every",
    "max_memory",
];

/// The ids of the flags of `descent train` (not of their groups).
fn train_flags() -> Vec<String> {
    <TrainArgs as Args>::augment_args(clap::Command::new("descent train"))
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect()
}

/// The flags given on the command line (not defaults).
pub fn explicit_flags(matches: &ArgMatches) -> Vec<String> {
    train_flags()
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .collect()
}

/// The settings of a run as `flag → text` (defaults included, so a later change of a default
/// does not change a resumed run). A switch is `true` or `false`.
pub fn settings_of(matches: &ArgMatches) -> BTreeMap<String, String> {
    train_flags()
        .into_iter()
        .filter(|id| !NOT_STORED.contains(&id.as_str()))
        .filter_map(|id| {
            let raw: Vec<String> =
                matches.get_raw(&id)?.map(|v| v.to_string_lossy().into_owned()).collect();
            (!raw.is_empty()).then(|| (id, raw.join(",")))
        })
        .collect()
}

/// The settings a resumed run stores: `ours` (this command line, defaults included) with the
/// checkpoint's entries over the defaults, and the flags given now over both.
pub fn overlay(
    ours: &mut BTreeMap<String, String>,
    stored: &BTreeMap<String, String>,
    explicit: &[String],
) {
    for (id, text) in stored {
        if !explicit.contains(id) {
            ours.insert(id.clone(), text.clone());
        }
    }
}

/// Where a resumed run's settings come from: the flags given now, else the checkpoint's text.
pub struct Stored {
    values: Option<BTreeMap<String, String>>,
    explicit: Vec<String>,
    path: PathBuf,
}

impl Stored {
    /// A fresh run: every setting is the command line's (given or default).
    pub fn fresh() -> Self {
        Self { values: None, explicit: Vec::new(), path: PathBuf::new() }
    }

    /// A resumed run: the checkpoint `path`'s `values`, and the flags given now.
    pub fn new(values: BTreeMap<String, String>, explicit: Vec<String>, path: PathBuf) -> Self {
        Self { values: Some(values), explicit, path }
    }

    /// Whether flag `id` is given on the command line of a resumed run (on a fresh run,
    /// every flag counts as given).
    pub fn given(&self, id: &str) -> bool {
        self.values.is_none() || self.explicit.iter().any(|e| e == id)
    }

    /// Flag `id`'s value: `now` (the command line's, given or default) unless the run resumes
    /// and the flag is not given; then the checkpoint's text parsed by `parse`, or `now` when
    /// the checkpoint has no such entry.
    pub fn value<V, E: Display>(
        &self,
        id: &str,
        now: V,
        parse: impl Fn(&str) -> Result<V, E>,
    ) -> anyhow::Result<V> {
        let Some(values) = &self.values else { return Ok(now) };
        if self.given(id) {
            return Ok(now);
        }
        match values.get(id) {
            None => Ok(now),
            Some(text) => parse(text).map_err(|e| {
                anyhow!(
                    "--resume {}: the stored setting {id} = {text:?} is not valid: {e}",
                    self.path.display()
                )
            }),
        }
    }
}
