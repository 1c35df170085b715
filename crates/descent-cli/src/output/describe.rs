//! The settings of a run in words, for figure titles and legends: the optimizer with its
//! hyper-parameters, the learning-rate schedule with its own, the regularization.

use descent::train::RegularizationConfig;
use descent::train::optim::OptimizerConfig;
use descent::train::schedule::{PlateauConfig, ScheduleConfig};

/// The optimizer and its hyper-parameters, e.g. `adam (β1 0.9, β2 0.999, ε 1e-8)`.
pub fn optimizer(config: &OptimizerConfig) -> String {
    match config {
        OptimizerConfig::Gd => "gd".to_owned(),
        OptimizerConfig::Momentum(c) if c.nesterov => format!("nesterov momentum (β {})", c.beta),
        OptimizerConfig::Momentum(c) => format!("momentum (β {})", c.beta),
        OptimizerConfig::Adam(c) => {
            format!("adam (β1 {}, β2 {}, ε {:e})", c.beta1, c.beta2, c.epsilon)
        }
        OptimizerConfig::RmsProp(c) => format!("rmsprop (β {}, ε {:e})", c.beta, c.epsilon),
        OptimizerConfig::AdamW(c) => format!(
            "adamw (β1 {}, β2 {}, ε {:e}, weight decay {})",
            c.beta1, c.beta2, c.epsilon, c.weight_decay
        ),
    }
}

/// The schedule and its parameters (the plateau schedule's when given), `None` for a constant
/// rate.
pub fn schedule(config: &ScheduleConfig, plateau: Option<&PlateauConfig>) -> Option<String> {
    if let Some(p) = plateau {
        return Some(format!(
            "plateau decay (factor {}, patience {}, min lr {})",
            p.factor, p.patience, p.min_lr
        ));
    }
    Some(match *config {
        ScheduleConfig::Constant => return None,
        ScheduleConfig::InverseTime { rate } => format!("inverse-time decay (rate {rate})"),
        ScheduleConfig::Scheduled { rate, interval } => {
            format!("scheduled decay (rate {rate}, every {interval} epochs)")
        }
        ScheduleConfig::Exponential { rate, interval } => {
            format!("exponential decay (rate {rate} over {interval} epochs)")
        }
        ScheduleConfig::Step { rate, interval } => {
            format!("step decay (rate {rate}, every {interval} epochs)")
        }
        ScheduleConfig::Cosine { lr_min, epochs } => {
            format!("cosine decay (to {lr_min} over {epochs} epochs)")
        }
    })
}

/// L2 and dropout when on, e.g. `L2 0.01, dropout keep 0.8,1`.
pub fn regularization(config: &RegularizationConfig) -> Option<String> {
    let mut parts = Vec::new();
    if config.l2 > 0.0 {
        parts.push(format!("L2 {}", config.l2));
    }
    if config.keep_prob.iter().any(|&k| k < 1.0) {
        let keep: Vec<String> = config.keep_prob.iter().map(ToString::to_string).collect();
        parts.push(format!("dropout keep {}", keep.join(",")));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use descent::train::optim::AdamConfig;

    use super::*;

    #[test]
    fn settings_read_as_the_command_line_sets_them() {
        let adam = OptimizerConfig::Adam(AdamConfig::default());
        assert_eq!(optimizer(&adam), "adam (β1 0.9, β2 0.999, ε 1e-8)");
        assert_eq!(optimizer(&OptimizerConfig::Gd), "gd");
        assert_eq!(schedule(&ScheduleConfig::Constant, None), None);
        let step = ScheduleConfig::Scheduled { rate: 1.0, interval: 1000 };
        assert_eq!(schedule(&step, None).unwrap(), "scheduled decay (rate 1, every 1000 epochs)");
        let plateau = PlateauConfig::default();
        assert!(schedule(&step, Some(&plateau)).unwrap().starts_with("plateau decay (factor 0.1"));
        let none = RegularizationConfig { l2: 0.0, keep_prob: vec![1.0], class_weights: None };
        assert_eq!(regularization(&none), None);
        let both = RegularizationConfig { l2: 0.01, keep_prob: vec![0.8, 1.0], ..none };
        assert_eq!(regularization(&both).unwrap(), "L2 0.01, dropout keep 0.8,1");
    }
}
