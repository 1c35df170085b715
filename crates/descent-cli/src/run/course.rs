//! `descent course --run NAME` with changed settings: the flags laid over the run's own
//! (`descent_course::Settings`), each checked and refused where the run has no such setting.

use anyhow::{anyhow, bail};
use descent::train::optim::OptimizerConfig;
use descent::train::schedule::ScheduleConfig;
use descent_course::{Run, Settings};

use super::checks::flag_error;
use crate::args::CourseChanges;

/// `run`'s settings with `changes` applied, `None` when nothing is changed.
pub fn course_settings(run: Run, changes: &CourseChanges) -> anyhow::Result<Option<Settings>> {
    let CourseChanges { lr, epochs, beta, beta1, beta2, decay_rate, decay_interval } = *changes;
    if [lr, beta, beta1, beta2, decay_rate].iter().all(Option::is_none)
        && epochs.is_none()
        && decay_interval.is_none()
    {
        return Ok(None);
    }
    let mut s = run.settings();
    let name = run.name();
    if let Some(lr) = lr {
        s.lr0 = lr;
    }
    if let Some(epochs) = epochs {
        if epochs == 0 {
            bail!("--epochs: give at least 1");
        }
        s.epochs = epochs;
    }
    match &mut s.optimizer {
        OptimizerConfig::Momentum(m) => {
            if let Some(b) = beta {
                m.beta = b;
            }
            refuse(
                beta1.or(beta2),
                "--beta1/--beta2",
                name,
                "has no Adam β1 or β2 (it has --beta)",
            )?;
        }
        OptimizerConfig::Adam(a) => {
            a.beta1 = beta1.unwrap_or(a.beta1);
            a.beta2 = beta2.unwrap_or(a.beta2);
            refuse(beta, "--beta", name, "has no momentum β (it has --beta1 and --beta2)")?;
        }
        _ => {
            refuse(
                beta.or(beta1).or(beta2),
                "--beta/--beta1/--beta2",
                name,
                "is plain gd: it has no β",
            )?;
        }
    }
    match &mut s.decay {
        Some(ScheduleConfig::InverseTime { rate }) => {
            *rate = decay_rate.unwrap_or(*rate);
            let why = "has no interval: update_lr decays every epoch";
            refuse(decay_interval.map(|i| i as f64), "--decay-interval", name, why)?;
        }
        Some(ScheduleConfig::Scheduled { rate, interval }) => {
            *rate = decay_rate.unwrap_or(*rate);
            *interval = decay_interval.unwrap_or(*interval);
        }
        _ => {
            let given = decay_rate.or(decay_interval.map(|i| i as f64));
            refuse(
                given,
                "--decay-rate/--decay-interval",
                name,
                "has no decay (the -decay runs have)",
            )?;
        }
    }
    s.optimizer.validate().map_err(|e| flag_error(e, "--lr"))?;
    if !(s.lr0.is_finite() && s.lr0 > 0.0) {
        bail!("--lr: must be a positive number, got {}", s.lr0);
    }
    if let Some(d) = &s.decay {
        d.validate_for(s.lr0).map_err(|e| flag_error(e, "--decay-rate"))?;
    }
    Ok(Some(s))
}

fn refuse(given: Option<f64>, flags: &str, run: &str, what: &str) -> anyhow::Result<()> {
    match given {
        Some(_) => Err(anyhow!("{flags}: the {run} run {what}")),
        None => Ok(()),
    }
}
